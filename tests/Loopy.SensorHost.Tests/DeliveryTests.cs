using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loopy.Testing;

namespace Loopy.SensorHost.Tests;

/// <summary>Delivery to the Receiver through its outages: retries keep the event id, so nothing is lost or doubled.</summary>
public sealed class DeliveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_client_retries_with_backoff_while_the_Receiver_restarts_and_the_event_is_published_once()
    {
        await using var stack = await WebhookProject.StartAsync(new Dictionary<string, string?> { ["Loopy:SensorHost:DeliveryAttempts"] = "60" }, Ct);
        using var client = stack.Host.CreateClient();
        await stack.Receiver.StopAsync();

        var pending = client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, Guid.NewGuid().ToString()), Ct);
        await Wait.UntilAsync(() => stack.Host.Logs.Count(8) >= 2, TimeSpan.FromSeconds(30), Ct);
        Assert.False(pending.IsCompleted);
        await stack.Receiver.StartAsync(Ct);

        using var response = await pending;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("ids")[0].GetString();
        await stack.Receiver.DrainAsync(Ct);
        Assert.Equal(id, Assert.Single(stack.Receiver.Of("Github.PullRequestOpened")).Message.EventId);
    }

    [Fact]
    public async Task Deliveries_made_while_the_Receiver_is_stopped_all_arrive_after_it_returns_none_twice()
    {
        await using var stack = await WebhookProject.StartAsync(null, Ct);
        using var client = stack.Host.CreateClient();
        const int count = 10;
        var refused = 0;
        var firstAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A vendor: each delivery is retried until it is answered 202 (as GitHub's redeliveries would be).
        var vendor = Task.Run(async () =>
        {
            for (var i = 1; i <= count; i++)
            {
                var body = Payloads.PullRequestOpened.Replace("\"number\": 42", $"\"number\": {i}", StringComparison.Ordinal);
                var delivery = Guid.NewGuid().ToString();
                while (true)
                {
                    using var response = await client.SendAsync(WebhookProject.GitHub(body, delivery), Ct);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        firstAccepted.TrySetResult();
                        break;
                    }

                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Assert.NotNull(response.Headers.RetryAfter);
                    Interlocked.Increment(ref refused);
                    await Task.Delay(TimeSpan.FromMilliseconds(200), Ct); // the vendor's retry cadence (Retry-After shortened for the test)
                }
            }
        }, Ct);

        await firstAccepted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stack.Receiver.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;
        await Wait.UntilAsync(() => Volatile.Read(ref refused) >= 3 && DateTimeOffset.UtcNow - stoppedAt >= TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), Ct);
        await stack.Receiver.StartAsync(Ct);
        await vendor.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        await stack.Receiver.DrainAsync(Ct);
        var numbers = stack.Receiver.Of("Github.PullRequestOpened").Select(d => d.Message.Fields.GetProperty("number").GetInt32()).Order().ToList();
        Assert.Equal(Enumerable.Range(1, count), numbers);
        Assert.True(refused >= 3);
    }
}
