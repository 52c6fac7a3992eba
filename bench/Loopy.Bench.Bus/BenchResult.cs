namespace Loopy.Bench.Bus;

/// <summary>One measured row: a transport, whose code (ours or the raw client), which scenario.</summary>
internal sealed record BenchResult(string Transport, string Layer, string Scenario, int Messages, TimeSpan Elapsed, double? P50Microseconds, double? P99Microseconds)
{
    public double PerSecond => Messages / Math.Max(Elapsed.TotalSeconds, 1e-9);
}
