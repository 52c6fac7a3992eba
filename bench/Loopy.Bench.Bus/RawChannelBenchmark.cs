using System.Threading.Channels;
using Loopy.Contracts.Messages;

namespace Loopy.Bench.Bus;

/// <summary>The floor under the in-process bus: a bare bounded channel, serializing like the bus does.</summary>
internal static class RawChannelBenchmark
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings)
    {
        var results = new List<BenchResult>();
        var parked = Channel.CreateBounded<byte[]>(Math.Max(settings.Count, 1));
        var (published, elapsed, latency) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
            i => parked.Writer.WriteAsync(Messages.Serialize(Messages.Create("bench.publish", i))).AsTask());
        results.Add(Load.Result("InProcess", "raw", "publish (confirmed)", published, elapsed, latency));

        var flow = Channel.CreateBounded<byte[]>(10_000);
        var handled = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var payload in flow.Reader.ReadAllAsync())
            {
                _ = System.Text.Json.JsonSerializer.Deserialize<EventAccepted>(payload, Messages.Json);
                Interlocked.Increment(ref handled);
            }
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (sent, _, _) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
            i => flow.Writer.WriteAsync(Messages.Serialize(Messages.Create("bench.flow", i))).AsTask());
        var complete = await Load.WaitForAsync(() => Volatile.Read(ref handled), sent, settings.TimeLimit);
        clock.Stop();
        flow.Writer.Complete();
        await reader;
        results.Add(Load.Result("InProcess", "raw", complete ? "publish→consume" : "publish→consume (INCOMPLETE)", Volatile.Read(ref handled), clock.Elapsed, null));
        return results;
    }
}
