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
    public async Task With_RabbitMQ_stopped_posts_get_503_never_202_and_after_restart_each_id_is_published_once()
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
        foreach (var id in ids)
        {
            await RetryUntilAcceptedAsync(client, ReceiverFixture.IncidentJson(id));
        }

        await Fixture.DrainAsync(Ct);
        Assert.All(ids, id => Assert.Equal(1, Fixture.PublishedCount(d => d.Message.EventId == id)));
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

        await RetryUntilAcceptedAsync(client, ReceiverFixture.IncidentJson(id));
        await Fixture.DrainAsync(Ct);
        Assert.Equal(1, Fixture.PublishedCount(d => d.Message.EventId == id));
    }

    private static async Task RetryUntilAcceptedAsync(HttpClient client, string body)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (true)
        {
            using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(body), Ct);
            if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "not accepted within 60 s after the server came back");
            await Task.Delay(TimeSpan.FromMilliseconds(250), Ct);
        }
    }
}
