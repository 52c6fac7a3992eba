using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Loopy.Testing;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// Rolling restarts behind the deployed nginx configuration, on loopback: two real Receiver processes (Postgres +
/// RabbitMQ) behind nginx; a producer sends a bounded stream of events, retrying 502/503 with the same event id,
/// while one Receiver gets SIGTERM and restarts and the other gets SIGKILL and restarts.
/// </summary>
[Collection(ServerOutages.Name)]
public sealed partial class LoadBalancerTests(ITestOutputHelper output)
{
    private const int EventCount = 2000;
    private const int Producers = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Events_sent_through_nginx_while_one_Receiver_is_terminated_and_one_killed_are_all_on_the_bus_and_only_a_refused_one_can_be_doubled()
    {
        var nginxBinary = NginxProcess.Binary;
        if (nginxBinary is null)
        {
            Assert.True(!TestServers.IsCi, "CI=true and nginx is not installed (eng/tools.sh installs it)");
            Assert.Skip("nginx is not installed (apt-get install nginx-light)");
        }

        await using var deployment = await ReceiverDeployment.CreateAsync(TestServers.Postgres, TestServers.RabbitMq, Ct);
        await using var a = new ReceiverProcess("receiver-a", NginxProcess.FreePort(), deployment.Environment);
        await using var b = new ReceiverProcess("receiver-b", NginxProcess.FreePort(), deployment.Environment);
        a.Start();
        b.Start();
        await a.WaitHealthyAsync(Ct);
        await b.WaitHealthyAsync(Ct);
        await using var nginx = await NginxProcess.StartAsync(nginxBinary!, [a.Port, b.Port], Ct);
        using var client = ReceiverDeployment.Client(nginx.Url);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(240));
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

        // The restarts: SIGTERM to A after a quarter of the events, SIGKILL to B after 60 %. The last quarter of the
        // stream waits for both to be back, so the restarts always happen while events are being sent.
        async Task RestartBothAsync()
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
                        status = 0; // nginx itself did not answer: never expected, reported below
                    }

                    seen.Enqueue(status);
                    if (status is 202 or 200)
                    {
                        acceptedAt.Enqueue(clock.ElapsedMilliseconds);
                        Interlocked.Increment(ref done);
                        break;
                    }

                    if (status is not (502 or 503))
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
                await RestartBothAsync();
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
            Assert.Fail($"the run did not complete: {ex}\n{a.Output}\n{b.Output}\n{nginx.Diagnostics()}");
        }

        var elapsed = clock.Elapsed;
        await deployment.DrainAsync(client, Ct);

        var published = deployment.Published.Select(d => d.Message.EventId).Where(id => id.StartsWith("lb-", StringComparison.Ordinal))
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var statuses = answers.Values.SelectMany(q => q).GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        var retried = answers.Count(p => p.Value.Count > 1);
        // The longest time without an acceptance, leaving out the time the producers were held back on purpose.
        var times = acceptedAt.Order().ToArray();
        var longestGap = times.Zip(times.Skip(1), (x, y) => (From: x, To: y))
            .Where(g => gateClosedAt < 0 || g.To <= gateClosedAt || g.From >= gateOpenedAt)
            .Select(g => g.To - g.From).DefaultIfEmpty(0).Max();
        var duplicates = published.Where(p => p.Value > 1).ToList();
        output.WriteLine($"{EventCount} events in {elapsed.TotalSeconds:0.0} s; answers {string.Join(", ", statuses)}; {retried} events needed a retry; "
            + $"longest gap between two acceptances {longestGap} ms (producers held back {(gateClosedAt < 0 ? 0 : gateOpenedAt - gateClosedAt)} ms for the restarts, not counted); "
            + $"{duplicates.Count} ids published more than once");
        var refusals = refusedAt.Order().ToArray();
        output.WriteLine($"restarts: {string.Join("; ", timeline)}; refusals between {refusals.FirstOrDefault()} and {refusals.LastOrDefault()} ms");
        output.WriteLine("nginx: " + string.Join("; ", NginxErrors().Matches(nginx.Diagnostics()).GroupBy(m => m.Groups["what"].Value).Select(g => $"{g.Count()}× {g.Key}")));

        // Every answer the producer saw was an acceptance or a clean 502/503 it retried; every event was accepted in the end.
        Assert.All(answers, p =>
        {
            var seen = p.Value.ToArray();
            Assert.True(seen[^1] is 202 or 200, $"{p.Key} ended with {seen[^1]} ({string.Join(',', seen)})");
            Assert.All(seen[..^1], s => Assert.True(s is 502 or 503, $"{p.Key} got {s} ({string.Join(',', seen)})"));
        });
        Assert.Equal(EventCount, answers.Count);

        // Every accepted id is on the bus; only the ids the producer sent are; an id can be there twice only if a
        // request for it was refused or cut off first (a publish confirmed after its 503, or a Receiver killed after
        // the publish and before the commit). A 200 (an earlier attempt had been recorded) is published too.
        Assert.All(ids, id => Assert.True(published.ContainsKey(id), $"{id} was accepted ({string.Join(',', answers[id])}) but is not on the bus"));
        Assert.Equal(ids.Order(StringComparer.Ordinal), published.Keys.Order(StringComparer.Ordinal));
        Assert.All(duplicates, p =>
        {
            var seen = answers[p.Key].ToArray();
            Assert.True(seen[0] is not 202, $"{p.Key} is on the bus {p.Value} times though its first request was accepted");
            Assert.InRange(p.Value, 2, seen.Length);
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\[(?:error|warn)\] [^:]*: \*\d+ (?<what>[^(,]+)")]
    private static partial System.Text.RegularExpressions.Regex NginxErrors();
}
