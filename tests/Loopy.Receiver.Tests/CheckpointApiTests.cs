using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loopy.Receiver.Checkpoints;

namespace Loopy.Receiver.Tests;

/// <summary>The poll-sensor checkpoint API (watermarks and tick leases), run against each store.</summary>
public abstract class CheckpointApiTests : IAsyncLifetime
{
    private ReceiverFixture? _fixture;

    protected ReceiverFixture Fixture => _fixture ?? throw new InvalidOperationException("not initialised");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract ReceiverFixture CreateFixture();

    public ValueTask InitializeAsync()
    {
        _fixture = CreateFixture();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task First_claim_has_no_window_start_and_complete_moves_the_watermark_to_scheduled_at()
    {
        using var client = Fixture.CreateClient();
        var sensor = NewSensor();

        using var claim = await ClaimAsync(client, sensor, "a", lease: 30, interval: 0);
        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);
        var tick = await JsonAsync(claim);
        Assert.Equal(JsonValueKind.Null, tick.GetProperty("window_start").ValueKind);
        var tickId = tick.GetProperty("tick_id").GetString()!;
        var scheduledAt = tick.GetProperty("scheduled_at").GetString()!;
        Assert.True(tick.GetProperty("lease_until").GetDateTimeOffset() > tick.GetProperty("scheduled_at").GetDateTimeOffset());

        using var complete = await PostAsync(client, $"/sensors/{sensor}/ticks/{tickId}/complete", "{}");
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        Assert.Equal(scheduledAt, (await JsonAsync(complete)).GetProperty("watermark").GetString());

        using var next = await ClaimAsync(client, sensor, "b", lease: 30, interval: 0);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(scheduledAt, (await JsonAsync(next)).GetProperty("window_start").GetString());
    }

    [Fact]
    public async Task Another_owner_gets_409_lease_held_while_the_lease_is_unexpired_and_the_tick_after_it_expires()
    {
        using var client = Fixture.CreateClient();
        var sensor = NewSensor();
        using var first = await ClaimAsync(client, sensor, "a", lease: 1, interval: 0);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var staleTick = (await JsonAsync(first)).GetProperty("tick_id").GetString()!;

        using var held = await ClaimAsync(client, sensor, "b", lease: 30, interval: 0);
        await AssertProblemAsync(held, HttpStatusCode.Conflict, CheckpointErrorCodes.LeaseHeld);

        // After a's lease runs out (a crashed replica), b takes the tick over; a can no longer complete it.
        string? takenOver = null;
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (takenOver is null)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "b never took the expired lease over");
            using var retry = await ClaimAsync(client, sensor, "b", lease: 30, interval: 0);
            takenOver = retry.StatusCode == HttpStatusCode.OK ? (await JsonAsync(retry)).GetProperty("tick_id").GetString() : null;
            if (takenOver is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), Ct); // a poll interval, bounded by the deadline above
            }
        }

        using var stale = await PostAsync(client, $"/sensors/{sensor}/ticks/{staleTick}/complete", "{}");
        await AssertProblemAsync(stale, HttpStatusCode.Conflict, CheckpointErrorCodes.NotHeld);
        using var current = await PostAsync(client, $"/sensors/{sensor}/ticks/{takenOver}/complete", "{}");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task A_tick_is_not_due_until_an_interval_after_the_watermark()
    {
        using var client = Fixture.CreateClient();
        var sensor = NewSensor();
        using var claim = await ClaimAsync(client, sensor, "a", lease: 30, interval: 3600);
        var tickId = (await JsonAsync(claim)).GetProperty("tick_id").GetString()!;
        using var complete = await PostAsync(client, $"/sensors/{sensor}/ticks/{tickId}/complete", "{}");
        Assert.Equal(HttpStatusCode.OK, complete.StatusCode);

        using var early = await ClaimAsync(client, sensor, "a", lease: 30, interval: 3600);
        var problem = await AssertProblemAsync(early, HttpStatusCode.Conflict, CheckpointErrorCodes.NotDue);
        var wait = problem.GetProperty("retry_after_ms").GetInt64();
        Assert.InRange(wait, 3_500_000, 3_600_000);
    }

    [Fact]
    public async Task Release_keeps_the_watermark_so_the_window_is_claimed_again_at_once()
    {
        using var client = Fixture.CreateClient();
        var sensor = NewSensor();
        using var first = await ClaimAsync(client, sensor, "a", lease: 30, interval: 0);
        var firstTick = (await JsonAsync(first)).GetProperty("tick_id").GetString()!;
        using var done = await PostAsync(client, $"/sensors/{sensor}/ticks/{firstTick}/complete", "{}");
        var watermark = (await JsonAsync(done)).GetProperty("watermark").GetString();

        using var second = await ClaimAsync(client, sensor, "a", lease: 30, interval: 3600 * 24 * 365);
        await AssertProblemAsync(second, HttpStatusCode.Conflict, CheckpointErrorCodes.NotDue);
        using var third = await ClaimAsync(client, sensor, "a", lease: 30, interval: 0);
        var thirdTick = (await JsonAsync(third)).GetProperty("tick_id").GetString()!;
        using var release = await PostAsync(client, $"/sensors/{sensor}/ticks/{thirdTick}/release", "{}");
        Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        Assert.Equal(watermark, (await JsonAsync(release)).GetProperty("watermark").GetString());

        using var again = await ClaimAsync(client, sensor, "b", lease: 30, interval: 0);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(watermark, (await JsonAsync(again)).GetProperty("window_start").GetString());

        using var releasedTwice = await PostAsync(client, $"/sensors/{sensor}/ticks/{thirdTick}/release", "{}");
        await AssertProblemAsync(releasedTwice, HttpStatusCode.Conflict, CheckpointErrorCodes.NotHeld);
    }

    [Fact]
    public async Task Of_many_concurrent_claims_exactly_one_wins()
    {
        var sensor = NewSensor();
        var clients = Enumerable.Range(0, 12).Select(_ => Fixture.CreateClient()).ToList();
        try
        {
            var answers = await Task.WhenAll(clients.Select((c, i) => ClaimAsync(c, sensor, $"owner-{i}", lease: 30, interval: 60)));
            Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.Equal(11, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task The_same_owner_may_reclaim_its_own_lease_and_the_old_tick_is_fenced_off()
    {
        using var client = Fixture.CreateClient();
        var sensor = NewSensor();
        using var first = await ClaimAsync(client, sensor, "a", lease: 30, interval: 0);
        var oldTick = (await JsonAsync(first)).GetProperty("tick_id").GetString()!;
        using var second = await ClaimAsync(client, sensor, "a", lease: 30, interval: 0);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.NotEqual(oldTick, (await JsonAsync(second)).GetProperty("tick_id").GetString());
        using var stale = await PostAsync(client, $"/sensors/{sensor}/ticks/{oldTick}/complete", "{}");
        await AssertProblemAsync(stale, HttpStatusCode.Conflict, CheckpointErrorCodes.NotHeld);
    }

    [Fact]
    public async Task Checkpoints_are_per_producer_and_need_credentials()
    {
        var sensor = NewSensor();
        using var anonymous = Fixture.CreateClient(bearer: null);
        using var refused = await ClaimAsync(anonymous, sensor, "a", lease: 30, interval: 0);
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized, ReceiverErrorCodes.Unauthorized);

        using var sensors = Fixture.CreateClient();
        using var claim = await ClaimAsync(sensors, sensor, "a", lease: 30, interval: 0);
        Assert.Equal(HttpStatusCode.OK, claim.StatusCode);

        // Another producer with a sensor of the same name has its own checkpoint.
        using var limited = Fixture.CreateClient(ReceiverFixture.LimitedSecret);
        using var own = await ClaimAsync(limited, sensor, "a", lease: 30, interval: 0);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var state = await limited.GetAsync(new Uri($"/sensors/{sensor}/checkpoint", UriKind.Relative), Ct);
        Assert.Equal("a", (await JsonAsync(state)).GetProperty("lease_owner").GetString());
    }

    [Fact]
    public async Task Bad_requests_get_400_and_a_future_watermark_is_refused()
    {
        using var client = Fixture.CreateClient();
        var sensor = NewSensor();
        using var noOwner = await PostAsync(client, $"/sensors/{sensor}/ticks/claim", """{"lease_seconds": 30}""");
        await AssertProblemAsync(noOwner, HttpStatusCode.BadRequest, CheckpointErrorCodes.InvalidRequest);
        using var notJson = await PostAsync(client, $"/sensors/{sensor}/ticks/claim", "{owner");
        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, ReceiverErrorCodes.MalformedJson);

        using var claim = await ClaimAsync(client, sensor, "a", lease: 30, interval: 0);
        var tickId = (await JsonAsync(claim)).GetProperty("tick_id").GetString()!;
        using var future = await PostAsync(client, $"/sensors/{sensor}/ticks/{tickId}/complete", """{"watermark": "2999-01-01T00:00:00Z"}""");
        await AssertProblemAsync(future, HttpStatusCode.BadRequest, CheckpointErrorCodes.InvalidRequest);
        using var missing = await client.GetAsync(new Uri($"/sensors/{NewSensor()}/checkpoint", UriKind.Relative), Ct);
        await AssertProblemAsync(missing, HttpStatusCode.NotFound, CheckpointErrorCodes.NotFound);
    }

    [Fact]
    public async Task Every_checkpoint_endpoint_refuses_no_credentials_401_and_a_body_over_16_KiB_413()
    {
        var sensor = NewSensor();
        string[] posts = [$"/sensors/{sensor}/ticks/claim", $"/sensors/{sensor}/ticks/t1/complete", $"/sensors/{sensor}/ticks/t1/release"];
        using var anonymous = Fixture.CreateClient(bearer: null);
        foreach (var path in posts)
        {
            using var refused = await PostAsync(anonymous, path, "{}");
            await AssertProblemAsync(refused, HttpStatusCode.Unauthorized, ReceiverErrorCodes.Unauthorized);
        }

        using var get = await anonymous.GetAsync(new Uri($"/sensors/{sensor}/checkpoint", UriKind.Relative), Ct);
        await AssertProblemAsync(get, HttpStatusCode.Unauthorized, ReceiverErrorCodes.Unauthorized);

        // The body limit comes before authentication: an oversized body is never buffered whole.
        using var client = Fixture.CreateClient();
        var large = $$"""{"owner": "{{new string('a', 16 * 1024)}}", "lease_seconds": 30}""";
        foreach (var path in posts)
        {
            using var tooLarge = await PostAsync(client, path, large);
            await AssertProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, ReceiverErrorCodes.PayloadTooLarge);
        }

        using var state = await client.GetAsync(new Uri($"/sensors/{sensor}/checkpoint", UriKind.Relative), Ct);
        await AssertProblemAsync(state, HttpStatusCode.NotFound, CheckpointErrorCodes.NotFound);
    }

    private static string NewSensor() => $"poll_{Guid.NewGuid():N}"[..20];

    private static Task<HttpResponseMessage> ClaimAsync(HttpClient client, string sensor, string owner, int lease, long interval) =>
        PostAsync(client, $"/sensors/{sensor}/ticks/claim", $$"""{"owner": "{{owner}}", "lease_seconds": {{lease}}, "interval_seconds": {{interval}}}""");

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string body) =>
        client.PostAsync(new Uri(path, UriKind.Relative), ReceiverFixture.Json(body), Ct);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await JsonAsync(response);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
