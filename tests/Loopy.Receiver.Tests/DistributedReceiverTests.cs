using System.Net;
using Loopy.Testing;

namespace Loopy.Receiver.Tests;

/// <summary>
/// The Receiver on real Postgres and RabbitMQ, including their outages. One collection: the outage
/// tests stop shared servers and must not run beside the others.
/// </summary>
[Collection(RealServers.Name)]
public sealed class DistributedReceiverTests : ReceiverComplianceTests
{
    protected override ReceiverFixture CreateFixture(IDictionary<string, string?>? settings = null) =>
        new(TestServers.Postgres, TestServers.RabbitMq, settings);

    [Fact]
    public async Task With_RabbitMQ_stopped_posts_get_503_never_202_and_after_restart_each_id_is_published_at_least_once()
    {
        using var client = Fixture.CreateClient();
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 5).Select(i => $"down-{run}-{i}").ToArray();

        await ServerControl.WhileStoppedAsync("rabbitmq", async () =>
        {
            foreach (var id in ids)
            {
                using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson(id)), Ct);
                await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, ReceiverErrorCodes.Unavailable);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }, Ct);

        // The bus reconnects on its own; the producer retries until it is accepted.
        var refusedAfterRestart = new Dictionary<string, int>();
        foreach (var id in ids)
        {
            refusedAfterRestart[id] = await RetryUntilAcceptedAsync(client, ReceiverFixture.IncidentJson(id));
        }

        // A 503 promises nothing either way: a publish whose confirm came too late may still reach the broker,
        // so an id refused once may be published once more (the Runtime keys runs by event id and starts one run).
        // The promise that must hold is the 202: every accepted id is on the bus, and each refusal adds at most one
        // copy (the outage-time refusal included).
        await Fixture.DrainAsync(Ct);
        Assert.All(ids, id =>
        {
            var published = Fixture.PublishedCount(d => d.Message.EventId == id);
            Assert.InRange(published, 1, 2 + refusedAfterRestart[id]);
        });
    }

    [Fact]
    public async Task With_Postgres_stopped_posts_get_503_and_health_is_unhealthy()
    {
        using var client = Fixture.CreateClient();
        var id = $"pgdown-{Guid.NewGuid():N}";

        await ServerControl.WhileStoppedAsync("postgres", async () =>
        {
            using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson(id)), Ct);
            await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, ReceiverErrorCodes.Unavailable);
            using var health = await client.GetAsync(Uri("/health"), Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }, Ct);

        // With the database down nothing is published (the id is recorded before the publish), so exactly once.
        await RetryUntilAcceptedAsync(client, ReceiverFixture.IncidentJson(id));
        await Fixture.DrainAsync(Ct);
        Assert.Equal(1, Fixture.PublishedCount(d => d.Message.EventId == id));
    }

    /// <summary>Posts until accepted; returns how many 503s it got first.</summary>
    private static async Task<int> RetryUntilAcceptedAsync(HttpClient client, string body)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        var refused = 0;
        while (true)
        {
            using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(body), Ct);
            if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
            {
                return refused;
            }

            refused++;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "not accepted within 60 s after the server came back");
            await Task.Delay(TimeSpan.FromMilliseconds(250), Ct);
        }
    }
}
