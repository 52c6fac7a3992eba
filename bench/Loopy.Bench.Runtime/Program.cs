// Usage: dotnet run --project bench/Loopy.Bench.Runtime -c Release -- [runs=1000] [replicas=2]
// Needs LOOPY_TEST_POSTGRES and LOOPY_TEST_RABBITMQ (eval "$(eng/servers.sh env --test)").
// Generates a one-step no-op exec workflow, starts the replicas as real processes on a fresh database,
// publishes the events and reports runs/s from the first publish to the last completed run.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Loopy.Bus;
using Loopy.Compiler;
using Loopy.Contracts.Messages;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var replicas = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
var postgres = Environment.GetEnvironmentVariable("LOOPY_TEST_POSTGRES") ?? throw new InvalidOperationException("set LOOPY_TEST_POSTGRES");
var rabbitmq = Environment.GetEnvironmentVariable("LOOPY_TEST_RABBITMQ") ?? throw new InvalidOperationException("set LOOPY_TEST_RABBITMQ");

var root = Directory.CreateTempSubdirectory("loopy-bench-runtime-").FullName;
File.WriteAllText(Path.Combine(root, "registry.yml"), """
    defaults:
      agent: { sandbox: default, harness: exec, model: noop-v1 }
    sandboxes:
      default: { provider: local }
    agents:
      Noop: { command: "cat > /dev/null" }
    events:
      Tick: { n: str }
    """);
Directory.CreateDirectory(Path.Combine(root, "workflows", "noop"));
File.WriteAllText(Path.Combine(root, "workflows", "noop", "only.md"), "---\non: Tick\nagent: Noop\n---\nNothing to do for {{ event.n }}.\n");
var compiled = LoopyCompiler.CompileDirectory(root);
if (compiled.ManifestJson is null)
{
    throw new InvalidOperationException(LoopyCompiler.FormatText(compiled.Diagnostics));
}

File.WriteAllText(Path.Combine(root, "manifest.json"), compiled.ManifestJson);

var database = $"loopy_bench_{Guid.NewGuid():N}"[..26];
await Execute(postgres, $"CREATE DATABASE {database}");
var connectionString = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
var prefix = $"bench{Guid.NewGuid():N}"[..14];
var processes = new List<Process>();
var ready = new List<Task>();
try
{
    for (var i = 0; i < replicas; i++)
    {
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        processes.Add(StartReplica(i, serving));
        ready.Add(serving.Task);
    }

    await using var bus = BusServiceCollectionExtensions.Create(BusTransport.RabbitMq, rabbitmq, new BusOptions { EntityPrefix = prefix, PublishTimeout = TimeSpan.FromSeconds(10) }, TimeProvider.System, NullLoggerFactory.Instance);
    await Task.WhenAll(ready).WaitAsync(TimeSpan.FromSeconds(60)); // every replica logged that it serves the manifest (subscribed)

    var clock = Stopwatch.StartNew();
    foreach (var batch in Enumerable.Range(0, runs).Chunk(100))
    {
        await Task.WhenAll(batch.Select(i => bus.PublishAsync(new EventAccepted
        {
            EventId = $"tick-{i}-{prefix}",
            EventName = "Tick",
            Fields = JsonSerializer.SerializeToElement(new { n = i.ToString(CultureInfo.InvariantCulture) }),
            Producer = "bench",
            AcceptedAt = TimeProvider.System.GetUtcNow(),
        })));
    }

    var published = clock.Elapsed;
    await WaitUntil(async () => await Scalar(connectionString, "SELECT count(*) FROM runtime_runs WHERE status = 'completed'") >= runs, TimeSpan.FromMinutes(10));
    var elapsed = clock.Elapsed;
    var total = await Scalar(connectionString, "SELECT count(*) FROM runtime_runs");
    var p50 = await Scalar(connectionString, "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY finished_at - created_at) FROM runtime_runs");
    var p99 = await Scalar(connectionString, "SELECT percentile_disc(0.99) WITHIN GROUP (ORDER BY finished_at - created_at) FROM runtime_runs");
    var workers = await Scalar(connectionString, "SELECT count(DISTINCT payload::json->>'worker') FROM runtime_run_history WHERE kind = 'step_started'");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{runs} no-op runs, {replicas} replicas (Postgres + RabbitMQ, exec step = one child process per run): published in {published.TotalSeconds:0.00} s, all completed in {elapsed.TotalSeconds:0.00} s => {runs / elapsed.TotalSeconds:0.0} runs/s; runs in store {total}, replicas that ran steps {workers}; run latency p50 {p50} ms, p99 {p99} ms"));
}
finally
{
    foreach (var process in processes)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    NpgsqlConnection.ClearAllPools();
    await Execute(postgres, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    Directory.Delete(root, recursive: true);
}

Process StartReplica(int index, TaskCompletionSource serving)
{
    var start = new ProcessStartInfo("dotnet")
    {
        ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Loopy.Runtime.Host.dll") },
        WorkingDirectory = root,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
    };
    start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    start.Environment["Logging__LogLevel__Loopy.Runtime.Engine.RuntimeStartup"] = "Information";
    start.Environment["ConnectionStrings__postgres"] = connectionString;
    start.Environment["ConnectionStrings__rabbitmq"] = rabbitmq;
    start.Environment["Loopy__Bus__EntityPrefix"] = prefix;
    start.Environment["Loopy__Runtime__ManifestPath"] = Path.Combine(root, "manifest.json");
    start.Environment["Loopy__Runtime__ReplicaId"] = $"bench-{index}";
    start.Environment["Loopy__Runtime__PollInterval"] = "00:00:00.100";
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, e) =>
    {
        if (e.Data?.Contains("serving manifest", StringComparison.Ordinal) == true)
        {
            serving.TrySetResult();
        }
    };
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine($"[bench-{index}] {e.Data}");
        }
    };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static async Task Execute(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

static async Task<long> Scalar(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    var value = await command.ExecuteScalarAsync();
    return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
}

static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout)
{
    var deadline = Stopwatch.StartNew();
    while (!await condition())
    {
        if (deadline.Elapsed > timeout)
        {
            throw new TimeoutException($"not within {timeout}");
        }

        await Task.Delay(TimeSpan.FromMilliseconds(100));
    }
}
