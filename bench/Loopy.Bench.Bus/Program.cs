using System.Globalization;
using Loopy.Bench.Bus;
using Loopy.Bus;

// Loopy bus benchmark: messages/s of our IEventBus next to the raw client, per transport, same run.
//   dotnet run -c Release --project bench/Loopy.Bench.Bus -- [--count 20000] [--concurrency 64] [--seconds 60] [--only inprocess,rabbitmq,redis]
// RabbitMQ and Redis come from LOOPY_TEST_RABBITMQ / LOOPY_TEST_REDIS (eng/servers.sh env --test); a missing one is skipped.
var count = Argument("--count", 20_000);
var concurrency = Argument("--concurrency", 64);
var seconds = Argument("--seconds", 60);
var only = ArgumentText("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
var settings = new BenchSettings(count, concurrency, TimeSpan.FromSeconds(seconds));
var rabbitmq = Environment.GetEnvironmentVariable("LOOPY_TEST_RABBITMQ");
var redis = Environment.GetEnvironmentVariable("LOOPY_TEST_REDIS");

Console.WriteLine($"count={count} concurrency={concurrency} time limit={seconds}s per scenario, {Environment.ProcessorCount} cores");
var warmUp = settings with { Count = Math.Min(1_000, count) };
var results = new List<BenchResult>();
if (Wanted("inprocess"))
{
    // Each pair runs once small to warm up the JIT and connections; only the second run is reported.
    await RawChannelBenchmark.RunAsync(warmUp);
    await OursBenchmark.RunAsync(BusTransport.InProcess, null, warmUp);
    results.AddRange(await RawChannelBenchmark.RunAsync(settings));
    results.AddRange(await OursBenchmark.RunAsync(BusTransport.InProcess, null, settings));
}

if (Wanted("rabbitmq"))
{
    if (string.IsNullOrWhiteSpace(rabbitmq))
    {
        Console.WriteLine("RabbitMQ skipped: LOOPY_TEST_RABBITMQ is not set.");
    }
    else
    {
        await RawRabbitMqBenchmark.RunAsync(rabbitmq, warmUp);
        await OursBenchmark.RunAsync(BusTransport.RabbitMq, rabbitmq, warmUp);
        results.AddRange(await RawRabbitMqBenchmark.RunAsync(rabbitmq, settings));
        results.AddRange(await OursBenchmark.RunAsync(BusTransport.RabbitMq, rabbitmq, settings));
    }
}

if (Wanted("redis"))
{
    if (string.IsNullOrWhiteSpace(redis))
    {
        Console.WriteLine("Redis skipped: LOOPY_TEST_REDIS is not set.");
    }
    else
    {
        await RawRedisBenchmark.RunAsync(redis, warmUp);
        await OursBenchmark.RunAsync(BusTransport.Redis, redis, warmUp);
        results.AddRange(await RawRedisBenchmark.RunAsync(redis, settings));
        results.AddRange(await OursBenchmark.RunAsync(BusTransport.Redis, redis, settings));
    }
}

ResultTable.Print(results);
return 0;

bool Wanted(string name) => only is null || only.Contains(name, StringComparer.OrdinalIgnoreCase);

int Argument(string name, int fallback) =>
    ArgumentText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? ArgumentText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
