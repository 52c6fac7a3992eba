using System.Globalization;

namespace Loopy.Bench.Bus;

/// <summary>Prints ours next to raw, per transport and scenario, with the ratio.</summary>
internal static class ResultTable
{
    public static void Print(IReadOnlyList<BenchResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("| transport | scenario | raw msg/s | ours msg/s | ours/raw | ours publish p50 / p99 (µs) | messages |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => (r.Transport, Scenario: r.Scenario.Replace(" (INCOMPLETE)", string.Empty, StringComparison.Ordinal))))
        {
            var raw = group.FirstOrDefault(r => r.Layer == "raw");
            var ours = group.FirstOrDefault(r => r.Layer == "ours");
            var ratio = raw is not null && ours is not null ? (ours.PerSecond / raw.PerSecond).ToString("0.00", CultureInfo.InvariantCulture) : "-";
            var latency = ours?.P50Microseconds is { } p50 && ours.P99Microseconds is { } p99
                ? string.Create(CultureInfo.InvariantCulture, $"{p50:0} / {p99:0}")
                : "-";
            var incomplete = group.Any(r => r.Scenario.Contains("INCOMPLETE", StringComparison.Ordinal)) ? " (INCOMPLETE)" : string.Empty;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.Transport} | {group.Key.Scenario}{incomplete} | {raw?.PerSecond:0} | {ours?.PerSecond:0} | {ratio} | {latency} | {ours?.Messages ?? raw?.Messages} |"));
        }
    }
}
