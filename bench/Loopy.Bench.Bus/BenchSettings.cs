namespace Loopy.Bench.Bus;

/// <summary>Bounds of a run: messages per scenario, publishers in flight, and a time limit per scenario.</summary>
internal sealed record BenchSettings(int Count, int Concurrency, TimeSpan TimeLimit);
