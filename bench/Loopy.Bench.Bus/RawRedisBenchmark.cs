using StackExchange.Redis;

namespace Loopy.Bench.Bus;

/// <summary>StackExchange.Redis alone: XADD, and XREADGROUP + XACK in a tight loop.</summary>
internal static class RawRedisBenchmark
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(string connectionString, BenchSettings settings)
    {
        var results = new List<BenchResult>();
        var options = ConfigurationOptions.Parse(connectionString);
        options.Protocol = RedisProtocol.Resp2;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var database = connection.GetDatabase();
        var prefix = $"rawbench{Guid.NewGuid():N}"[..20];

        RedisKey parked = prefix + ":publish";
        await database.StreamCreateConsumerGroupAsync(parked, "parked", StreamPosition.NewMessages, createStream: true);
        var (published, elapsed, latency) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
            i => database.StreamAddAsync(parked, "m", Messages.Serialize(Messages.Create("bench.publish", i))));
        results.Add(Load.Result("Redis", "raw", "publish (confirmed)", published, elapsed, latency));
        await database.KeyDeleteAsync(parked);

        RedisKey flow = prefix + ":flow";
        await database.StreamCreateConsumerGroupAsync(flow, "consumer", StreamPosition.NewMessages, createStream: true);
        var handled = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var entries = await database.StreamReadGroupAsync(flow, "consumer", "c1", StreamPosition.NewMessages, count: 256);
                if (entries.Length == 0)
                {
                    await Task.Delay(1);
                    continue;
                }

                foreach (var entry in entries)
                {
                    _ = System.Text.Json.JsonDocument.Parse((byte[])entry["m"]!);
                }

                await database.StreamAcknowledgeAsync(flow, "consumer", [.. entries.Select(e => e.Id)]);
                Interlocked.Add(ref handled, entries.Length);
            }
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (sent, _, _) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
            i => database.StreamAddAsync(flow, "m", Messages.Serialize(Messages.Create("bench.flow", i))));
        var complete = await Load.WaitForAsync(() => Volatile.Read(ref handled), sent, settings.TimeLimit);
        clock.Stop();
        await stop.CancelAsync();
        await reader;
        results.Add(Load.Result("Redis", "raw", complete ? "publish→consume" : "publish→consume (INCOMPLETE)", Volatile.Read(ref handled), clock.Elapsed, null));
        await database.KeyDeleteAsync(flow);
        return results;
    }
}
