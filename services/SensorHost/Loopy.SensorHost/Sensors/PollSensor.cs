using Loopy.SensorHost.Exec;

namespace Loopy.SensorHost.Sensors;

/// <summary>A poll sensor: its program runs once per interval, once across all replicas.</summary>
public sealed record PollSensor(string Name, string Emits, TimeSpan Interval, ExecSpec Exec);
