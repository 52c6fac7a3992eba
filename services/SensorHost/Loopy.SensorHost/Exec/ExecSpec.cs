namespace Loopy.SensorHost.Exec;

/// <summary>An exec sensor's program: argv, the engine variables it may see, its time limit, and the one event it emits.</summary>
public sealed record ExecSpec(string SensorName, string Emits, IReadOnlyList<string> Argv, IReadOnlyList<string> Env, TimeSpan Timeout);
