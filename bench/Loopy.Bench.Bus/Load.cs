using System.Diagnostics;
using HdrHistogram;

namespace Loopy.Bench.Bus;

/// <summary>Closed-loop load: <c>concurrency</c> workers publish until the count or the time limit is reached.</summary>
internal static class Load
{
    public static async Task<(int Completed, TimeSpan Elapsed, LongConcurrentHistogram Latency)> PublishAsync(
        int count, int concurrency, TimeSpan timeLimit, Func<int, Task> publishOne)
    {
        var latency = new LongConcurrentHistogram(1, 60_000_000, 3);
        var next = -1;
        var completed = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count && clock.Elapsed < timeLimit)
            {
                var started = Stopwatch.GetTimestamp();
                await publishOne(index);
                latency.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds));
                Interlocked.Increment(ref completed);
            }
        }));
        await Task.WhenAll(workers);
        clock.Stop();
        return (completed, clock.Elapsed, latency);
    }

    /// <summary>Waits until <paramref name="done"/> reaches <paramref name="expected"/> or the deadline passes.</summary>
    public static async Task<bool> WaitForAsync(Func<int> done, int expected, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (done() < expected)
        {
            if (clock.Elapsed > deadline)
            {
                return false;
            }

            await Task.Delay(1);
        }

        return true;
    }

    public static BenchResult Result(string transport, string layer, string scenario, int completed, TimeSpan elapsed, LongConcurrentHistogram? latency) =>
        new(transport, layer, scenario, completed, elapsed,
            latency is null ? null : latency.GetValueAtPercentile(50),
            latency is null ? null : latency.GetValueAtPercentile(99));
}
