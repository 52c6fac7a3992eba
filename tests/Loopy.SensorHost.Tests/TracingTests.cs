using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loopy.Testing;

namespace Loopy.SensorHost.Tests;

/// <summary>One trace from the webhook to the Receiver: the SensorHost's span, continued by the Receiver over HTTP.</summary>
public sealed class TracingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_Receiver_records_the_trace_the_SensorHost_webhook_span_belongs_to()
    {
        var stopped = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        await using var stack = await WebhookProject.StartAsync(null, Ct);
        using var client = stack.Host.CreateClient();
        using var response = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, Guid.NewGuid().ToString()), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("ids")[0].GetString();

        await Wait.UntilAsync(() => stack.Receiver.Of("Github.PullRequestOpened").Any(d => d.Message.EventId == id), TimeSpan.FromSeconds(20), Ct);
        var traceParent = stack.Receiver.Of("Github.PullRequestOpened").Single(d => d.Message.EventId == id).Message.TraceParent;
        Assert.NotNull(traceParent);
        var traceId = traceParent.Split('-')[1];
        await Wait.UntilAsync(() => stopped.Any(a => a.OperationName == "sensorhost.webhook" && a.TraceId.ToHexString() == traceId), TimeSpan.FromSeconds(10), Ct);
    }
}
