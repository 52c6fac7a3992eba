using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Loopy.Testing;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// Rolling restarts behind the deployed nginx configuration, on loopback, with the published host outputs as processes
/// (the shape of <c>deploy/compose.yaml</c>): the Compiler service, two Receivers behind nginx and three Runtime
/// replicas on Postgres + RabbitMQ. A producer sends a bounded stream of events, retrying 502/503 and connection
/// errors with the same event id, while one Receiver gets SIGTERM and restarts, the other gets SIGKILL and restarts,
/// and one Runtime with steps under way gets SIGKILL. In the end every event has exactly one completed run.
/// </summary>
[Collection(ServerOutages.Name)]
public sealed partial class LoadBalancerTests(ITestOutputHelper output)
{
    private const int EventCount = 2000;
    private const int Producers = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_sent_through_nginx_while_Receivers_restart_and_a_Runtime_is_killed_each_make_exactly_one_run()
    {
        var nginxBinary = NginxProcess.RequireBinary();

        await using var deployment = await PublishedDeployment.CreateAsync(TestServers.Postgres, TestServers.RabbitMq, Ct);
        await deployment.StartCompilerAsync(NginxProcess.FreePort(), Ct);
        var a = await deployment.ReceiverAsync("receiver-a", NginxProcess.FreePort(), Ct);
        var b = await deployment.ReceiverAsync("receiver-b", NginxProcess.FreePort(), Ct);
        var runtimes = new List<HostProcess>();
        for (var i = 1; i <= 3; i++)
        {
            runtimes.Add(await deployment.RuntimeAsync($"runtime-{i}", NginxProcess.FreePort(), Ct));
        }

        HostProcess[] all = [a, b, .. runtimes];
        foreach (var process in all)
        {
            process.Start();
        }

        await Task.WhenAll(all.Select(p => p.WaitHealthyAsync(Ct)));
        await using var nginx = await NginxProcess.StartAsync(nginxBinary, [a.Port, b.Port], Ct);
        using var client = ReceiverDeployment.Client(nginx.Url);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(300));
        var ids = Enumerable.Range(0, EventCount).Select(i => $"lb-{i:D4}-{Guid.NewGuid():N}").ToArray();
        var answers = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var refusedAt = new ConcurrentQueue<long>();
        var timeline = new ConcurrentQueue<string>();
        var acceptedAt = new ConcurrentQueue<long>();
        var next = -1;
        var done = 0;
        var restarts = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        // When producers first waited for the restarts, and when those were done.
        long gateClosedAt = -1;
        long gateOpenedAt = -1;
        HostProcess? killedRuntime = null;
        IReadOnlyList<(string Id, long StartedAt)> orphaned = [];

        // The Receivers: SIGTERM to A after a quarter of the events, then (once A is back) SIGKILL to B after 60 %.
        // The last quarter of the stream waits for both to be back, so the restarts happen while events are sent.
        async Task RestartReceiversAsync()
        {
            await Wait.UntilAsync(() => Volatile.Read(ref done) >= EventCount / 4, TimeSpan.FromSeconds(120), deadline.Token);
            timeline.Enqueue($"A SIGTERM at {clock.ElapsedMilliseconds} ms");
            a.Terminate();
            await a.WaitForExitAsync(deadline.Token);
            Assert.Equal(0, a.ExitCode);
            timeline.Enqueue($"A exited at {clock.ElapsedMilliseconds} ms");
            a.Start();
            await a.WaitHealthyAsync(deadline.Token);
            timeline.Enqueue($"A healthy at {clock.ElapsedMilliseconds} ms");

            await Wait.UntilAsync(() => Volatile.Read(ref done) >= EventCount * 6 / 10, TimeSpan.FromSeconds(120), deadline.Token);
            timeline.Enqueue($"B SIGKILL at {clock.ElapsedMilliseconds} ms");
            b.Kill();
            await b.WaitForExitAsync(deadline.Token);
            b.Start();
            await b.WaitHealthyAsync(deadline.Token);
            timeline.Enqueue($"B healthy at {clock.ElapsedMilliseconds} ms");
        }

        // A Runtime: SIGKILL after 40 % of the events, to a replica with a step that started less than 100 ms ago
        // (the agent takes 200 ms), so it dies with steps under way. It is not restarted: the others take over.
        async Task KillRuntimeAsync()
        {
            await Wait.UntilAsync(() => Volatile.Read(ref done) >= EventCount * 4 / 10, TimeSpan.FromSeconds(120), deadline.Token);
            await Wait.UntilAsync(async () =>
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (var runtime in runtimes)
                {
                    var running = await deployment.RunningStepsAsync(runtime.Name, deadline.Token);
                    if (running.Any(s => now - s.StartedAt < 100))
                    {
                        runtime.Kill();
                        killedRuntime = runtime;
                        return true;
                    }
                }

                return false;
            }, TimeSpan.FromSeconds(60), deadline.Token);
            await killedRuntime!.WaitForExitAsync(deadline.Token);
            // Whatever is still running under its lease now is orphaned: its process is gone.
            orphaned = await deployment.RunningStepsAsync(killedRuntime.Name, deadline.Token);
            timeline.Enqueue($"{killedRuntime.Name} SIGKILL at {clock.ElapsedMilliseconds} ms with {orphaned.Count} steps under way");
        }

        async Task ProduceAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < EventCount)
            {
                if (index >= EventCount * 3 / 4)
                {
                    if (!restarts.Task.IsCompleted)
                    {
                        Interlocked.CompareExchange(ref gateClosedAt, clock.ElapsedMilliseconds, -1);
                    }

                    await restarts.Task.WaitAsync(deadline.Token);
                }

                var id = ids[index];
                var seen = answers.GetOrAdd(id, _ => new ConcurrentQueue<int>());
                for (var attempt = 1; ; attempt++)
                {
                    Assert.True(attempt <= 200, $"event {id} was not accepted after 200 attempts: {string.Join(',', seen)}");
                    int status;
                    try
                    {
                        using var response = await client.PostAsync(new Uri("/events", UriKind.Relative), ReceiverDeployment.Ping(id), deadline.Token);
                        status = (int)response.StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        status = 0; // nginx itself did not answer: retried like a 502, and reported below
                    }

                    seen.Enqueue(status);
                    if (status is 202 or 200)
                    {
                        acceptedAt.Enqueue(clock.ElapsedMilliseconds);
                        Interlocked.Increment(ref done);
                        break;
                    }

                    // 502/503/504 and no answer: the outcome is unknown or the event was refused; the same id is safe to send again.
                    if (status is not (0 or 502 or 503 or 504))
                    {
                        break;
                    }

                    refusedAt.Enqueue(clock.ElapsedMilliseconds);

                    // The producer's backoff before the retry (not a wait on the system under test).
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Min(attempt, 10)), deadline.Token);
                }
            }
        }

        var chaos = Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(RestartReceiversAsync(), KillRuntimeAsync());
                Interlocked.Exchange(ref gateOpenedAt, clock.ElapsedMilliseconds);
                restarts.TrySetResult();
            }
            catch (Exception ex)
            {
                restarts.TrySetException(ex);
                throw;
            }
        }, deadline.Token);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Producers).Select(_ => Task.Run(ProduceAsync, deadline.Token)).Append(chaos));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"the run did not complete: {ex}\n{string.Join('\n', all.Select(p => p.Output))}\n{nginx.Diagnostics()}");
        }

        var sent = clock.Elapsed;

        // Every accepted event becomes a run; wait (bounded) until all are terminal, then check what is there.
        IReadOnlyList<RunRow> runs = [];
        try
        {
            await Wait.UntilAsync(async () =>
            {
                runs = await deployment.RunsAsync("lb-", Ct);
                return runs.Count(r => r.Status is not "running") >= answers.Count(p => p.Value.Any(s => s is 200 or 202));
            }, TimeSpan.FromSeconds(240), Ct);
        }
        catch (TimeoutException)
        {
            // Reported by the assertions below with what is missing.
        }

        var settled = clock.Elapsed;
        var statuses = answers.Values.SelectMany(q => q).GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        var retried = answers.Count(p => p.Value.Count > 1);
        // The longest time without an acceptance, leaving out the time the producers were held back on purpose.
        var times = acceptedAt.Order().ToArray();
        var longestGap = times.Zip(times.Skip(1), (x, y) => (From: x, To: y))
            .Where(g => gateClosedAt < 0 || g.To <= gateClosedAt || g.From >= gateOpenedAt)
            .Select(g => g.To - g.From).DefaultIfEmpty(0).Max();
        output.WriteLine($"{EventCount} events sent in {sent.TotalSeconds:0.0} s, all runs terminal after {settled.TotalSeconds:0.0} s; answers {string.Join(", ", statuses)}; "
            + $"{retried} events needed a retry; longest gap between two acceptances {longestGap} ms "
            + $"(producers held back {(gateClosedAt < 0 ? 0 : gateOpenedAt - gateClosedAt)} ms for the restarts, not counted)");
        output.WriteLine($"runs: {runs.Count} ({string.Join(", ", runs.GroupBy(r => r.Status).Select(g => $"{g.Key}: {g.Count()}"))})");
        var refusals = refusedAt.Order().ToArray();
        output.WriteLine($"timeline: {string.Join("; ", timeline)}; refusals between {refusals.FirstOrDefault()} and {refusals.LastOrDefault()} ms");
        output.WriteLine("nginx: " + string.Join("; ", NginxErrors().Matches(nginx.Diagnostics()).GroupBy(m => m.Groups["what"].Value).Select(g => $"{g.Count()}× {g.Key}")));

        // Every answer the producer saw was an acceptance or a 502/503/504/connection error it retried; every event was accepted in the end.
        Assert.Equal(EventCount, answers.Count);
        Assert.All(answers, p =>
        {
            var seen = p.Value.ToArray();
            Assert.True(seen[^1] is 202 or 200, $"{p.Key} ended with {seen[^1]} ({string.Join(',', seen)})");
            Assert.All(seen[..^1], s => Assert.True(s is 0 or 502 or 503 or 504, $"{p.Key} got {s} ({string.Join(',', seen)})"));
        });

        // Exactly one run per event, none for an id that was not sent, none twice; each completed its step once.
        var missing = ids.Except(runs.Select(r => r.EventId), StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} accepted events have no run, e.g. {string.Join(", ", missing.Take(5).Select(id => $"{id} ({string.Join(',', answers[id])})"))}");
        Assert.Equal(ids.Order(StringComparer.Ordinal), runs.Select(r => r.EventId).Order(StringComparer.Ordinal));
        Assert.All(runs, r => Assert.True(r is { Status: "completed", StepCompletions: 1 }, $"run of {r.EventId}: {r.Status}, {r.StepCompletions} step completions"));

        // The killed Runtime's steps were taken over by another replica and finished there.
        Assert.NotNull(killedRuntime);
        Assert.NotEmpty(orphaned);
        foreach (var (stepId, _) in orphaned)
        {
            var (status, attempt, workers) = await deployment.StepAsync(stepId, Ct);
            Assert.Equal("completed", status);
            // An earlier attempt may have been on another replica (a lease lost under load is taken over too).
            Assert.True(attempt >= 2 && workers.Contains(killedRuntime.Name) && workers[^1] != killedRuntime.Name,
                $"step {stepId}: attempt {attempt}, started on {string.Join(", ", workers)}");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\[(?:error|warn)\] [^:]*: \*\d+ (?<what>[^(,]+)")]
    private static partial System.Text.RegularExpressions.Regex NginxErrors();
}
