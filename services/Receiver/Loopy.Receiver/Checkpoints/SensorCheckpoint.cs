namespace Loopy.Receiver.Checkpoints;

/// <summary>The stored state of one producer's poll sensor: its watermark and the current tick lease, if any.</summary>
public sealed record SensorCheckpoint(string Producer, string Sensor, DateTimeOffset? Watermark, string? TickId, string? LeaseOwner, DateTimeOffset? LeaseUntil);
