using System.Globalization;
using System.Text.Json;
using Loopy.Integration.Tests.LoadBalancer;
using Loopy.Testing;

namespace Loopy.Integration.Tests.Sensors;

/// <summary>
/// Two real SensorHost processes share one poll sensor through a real Receiver process (tick leases and watermarks
/// in Postgres). The replica running a tick is killed with SIGKILL in the middle of it: its lease expires, another
/// replica polls that window once, and the windows stay contiguous.
/// </summary>
[Collection(ServerOutages.Name)]
public sealed class PollReplicaKillTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Logs every invocation with the SensorHost's pid; once armed, one invocation takes the arm, records itself in
    // killed.log and sleeps (it is killed meanwhile, so it never prints its event).
    private const string Script = """
        input=$(cat)
        if [ -f arm ] && mv arm armed 2>/dev/null; then printf '%s %s\n' "$PPID" "$input" > killed.log; sleep 8; exit 0; fi
        printf '%s %s\n' "$PPID" "$input" >> ticks.log
        last=$(printf '%s' "$input" | sed -n 's/.*"last_run":"\([^"]*\)".*/\1/p')
        printf '{"fields": {"last_run": "%s"}}\n' "$last"
        """;

    private const string Manifest = """
        {
          "schema_version": "2",
          "registry": { "events": {
            "Ping": { "builtin": false, "fields": { "n": { "type": "string" } } },
            "Tick": { "builtin": false, "fields": { "last_run": { "type": "string" } } } }, "agents": {}, "sandboxes": {} },
          "workflows": {},
          "sensors": [ { "name": "ticker", "emits": "Tick", "source": "declared", "provider": null, "module": null, "fn": null,
            "trigger": { "kind": "poll", "interval": "1s" },
            "declared": { "file": "sensors/ticker.yml", "env": [], "exec": ["sh", "sensors/ticker.sh"], "timeout": "10s",
              "verify": null, "when": null, "map": null } } ],
          "lineage": { "events": {} }
        }
        """;

    [Fact]
    public async Task A_replica_killed_mid_tick_loses_its_lease_and_another_polls_that_window_once_with_no_gap()
    {
        await using var deployment = await ReceiverDeployment.CreateAsync(TestServers.Postgres, TestServers.RabbitMq, Manifest, ["Tick", "Ping"], Ct);
        await using var receiver = HostProcess.Receiver("receiver", NginxProcess.FreePort(), deployment.Environment);
        receiver.Start();
        await receiver.WaitHealthyAsync(Ct);

        var root = Directory.CreateTempSubdirectory("loopy-poll-kill-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "manifest.json"), Manifest, Ct);
        Directory.CreateDirectory(Path.Combine(root, "sensors"));
        await File.WriteAllTextAsync(Path.Combine(root, "sensors", "ticker.sh"), Script.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n", Ct);
        var environment = new Dictionary<string, string>
        {
            ["Loopy__SensorHost__ManifestPath"] = Path.Combine(root, "manifest.json"),
            ["Loopy__SensorHost__ProjectRoot"] = root,
            ["Loopy__SensorHost__ReceiverUrl"] = receiver.Url.ToString(),
            ["Loopy__SensorHost__ProducerSecret"] = ReceiverDeployment.Secret,
            ["Loopy__SensorHost__PollLeaseSlack"] = "00:00:02",
            ["Loopy__SensorHost__PollRetryDelay"] = "00:00:00.200",
            ["Loopy__SensorHost__RetryBaseDelay"] = "00:00:00.100",
        };
        var hosts = new List<SensorHostProcess> { SensorHostProcess.Start("sensorhost-a", environment), SensorHostProcess.Start("sensorhost-b", environment) };
        try
        {
            await Wait.UntilAsync(() => Published(deployment).Count >= 3, TimeSpan.FromSeconds(60), Ct);

            // Arm the program: the next invocation is the one whose replica is killed mid-tick.
            await File.WriteAllTextAsync(Path.Combine(root, "arm"), string.Empty, Ct);
            var killedLog = Path.Combine(root, "killed.log");
            await Wait.UntilAsync(() => File.Exists(killedLog) && File.ReadAllText(killedLog).EndsWith('\n'), TimeSpan.FromSeconds(30), Ct);
            var (killedPid, killed) = Parse(File.ReadAllText(killedLog).Trim());
            var victim = hosts.Single(h => h.Pid == killedPid);
            await victim.KillAsync();
            hosts.Add(SensorHostProcess.Start("sensorhost-restarted", environment));

            // The killed tick's window is polled again once its lease expired, and polling goes on after it.
            await Wait.UntilAsync(() => Invocations(root).Any(i => i.LastRun == killed.LastRun), TimeSpan.FromSeconds(60), Ct);
            var rerunAt = Invocations(root).FindIndex(i => i.LastRun == killed.LastRun);
            await Wait.UntilAsync(() => Invocations(root).Count >= rerunAt + 4, TimeSpan.FromSeconds(60), Ct);
            await deployment.DrainAsync(ReceiverDeployment.Client(receiver.Url), Ct);

            var runs = Invocations(root);
            var published = Published(deployment);
            var rerun = runs[rerunAt];
            output.WriteLine($"killed {victim.Name} (pid {killedPid}) in the tick of window {killed.LastRun:O}; re-run by pid {rerun.Pid} "
                + $"{(rerun.ScheduledAt - killed.ScheduledAt).TotalSeconds:0.0} s later; {runs.Count} ticks, {published.Count} windows published");

            Assert.NotEqual(killedPid, rerun.Pid);
            Assert.Single(runs, r => r.LastRun == killed.LastRun);
            Assert.Single(published, w => w == killed.LastRun);
            Assert.Equal(published.Count, published.Distinct().Count());
            // Every window polled was published in order, except perhaps the tick still under way when we looked.
            Assert.InRange(runs.Count - published.Count, 0, 1);
            Assert.Equal(runs.Take(published.Count).Select(r => r.LastRun), published);
            for (var i = 1; i < runs.Count; i++)
            {
                Assert.True(runs[i].LastRun == runs[i - 1].ScheduledAt, $"window {i} starts at {runs[i].LastRun:O}, not where window {i - 1} ended ({runs[i - 1].ScheduledAt:O})");
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    private static List<DateTimeOffset> Published(ReceiverDeployment deployment) =>
        deployment.Published.Where(d => d.Message.EventName == "Tick")
            .Select(d => Instant(d.Message.Fields.GetProperty("last_run").GetString()!)).ToList();

    private static List<(int Pid, DateTimeOffset ScheduledAt, DateTimeOffset LastRun)> Invocations(string root)
    {
        var path = Path.Combine(root, "ticks.log");
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.EndsWith('}')).Select(l =>
            {
                var (pid, tick) = Parse(l);
                return (pid, tick.ScheduledAt, tick.LastRun);
            }).ToList()
            : [];
    }

    private static (int Pid, (DateTimeOffset ScheduledAt, DateTimeOffset LastRun) Tick) Parse(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        using var input = JsonDocument.Parse(line[(space + 1)..]);
        return (int.Parse(line[..space], CultureInfo.InvariantCulture),
            (Instant(input.RootElement.GetProperty("scheduled_at").GetString()!), Instant(input.RootElement.GetProperty("last_run").GetString()!)));
    }

    private static DateTimeOffset Instant(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
