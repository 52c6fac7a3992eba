using Loopy.Bus;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopy.Bench.Bus;

/// <summary>Our <see cref="IEventBus"/>: publish-with-confirm, then publish→consume through one workflow.</summary>
internal static class OursBenchmark
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(BusTransport transport, string? connectionString, BenchSettings settings)
    {
        var prefix = $"bench{Guid.NewGuid():N}"[..17];
        var options = new BusOptions { EntityPrefix = prefix, MaxInFlightPublishes = settings.Concurrency, ConcurrencyPerSubscription = 64, PublishTimeout = TimeSpan.FromSeconds(10), InProcessCapacity = Math.Max(10_000, settings.Count) };
        var name = transport.ToString();
        var results = new List<BenchResult>();
        await using var bus = BusServiceCollectionExtensions.Create(transport, connectionString, options, TimeProvider.System, NullLoggerFactory.Instance);

        // Publish with confirm: a workflow is subscribed (so the broker routes and stores every message), nothing consumes.
        var parked = await bus.SubscribeAsync(new BusSubscription("parked", ["bench.publish"], (_, _) => Task.CompletedTask));
        await parked.DisposeAsync();
        var (published, elapsed, latency) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
            i => bus.PublishAsync(Messages.Create("bench.publish", i)));
        results.Add(Load.Result(name, "ours", "publish (confirmed)", published, elapsed, latency));

        // Publish → consume: time from the first publish to the last handled message.
        var handled = 0;
        await using (await bus.SubscribeAsync(new BusSubscription("consumer", ["bench.flow"], (_, _) =>
        {
            Interlocked.Increment(ref handled);
            return Task.CompletedTask;
        })))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (sent, _, _) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
                i => bus.PublishAsync(Messages.Create("bench.flow", i)));
            var complete = await Load.WaitForAsync(() => Volatile.Read(ref handled), sent, settings.TimeLimit);
            clock.Stop();
            results.Add(Load.Result(name, "ours", complete ? "publish→consume" : "publish→consume (INCOMPLETE)", Volatile.Read(ref handled), clock.Elapsed, null));
        }

        return results;
    }
}
