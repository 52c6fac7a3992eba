using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Loopy.Bus;
using Loopy.Receiver.Auth;
using Loopy.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Loopy.Receiver.Tests;

/// <summary>
/// The Receiver's behaviour, run against each store and bus pairing: SQLite + in-process (standalone)
/// and Postgres + RabbitMQ (distributed).
/// </summary>
public abstract class ReceiverComplianceTests : IAsyncLifetime
{
    private ReceiverFixture? _fixture;

    protected ReceiverFixture Fixture => _fixture ?? throw new InvalidOperationException("not initialised");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _fixture = CreateFixture();
        await _fixture.StartProbeAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected abstract ReceiverFixture CreateFixture(IDictionary<string, string?>? settings = null);

    [Fact]
    public async Task An_event_for_a_workflow_no_runtime_has_subscribed_yet_waits_for_its_first_consumer()
    {
        var manifest = Path.Combine(RepositoryRoot.Path, "tests", "Loopy.Compiler.Tests", "Baselines", "hello.manifest.json");
        await using var fixture = CreateFixture(new Dictionary<string, string?> { ["Loopy:Receiver:ManifestPath"] = manifest });
        using var client = fixture.CreateClient();
        var id = $"early-{Guid.NewGuid():N}";
        using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json($$$"""{"id":"{{{id}}}","name":"Greet","fields":{"name":"early"}}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // The hello manifest's workflow "greet" starts on Greet: its queue was provisioned before the publish.
        var bus = fixture.Services.GetRequiredService<IEventBus>();
        var received = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await bus.SubscribeAsync(
            new BusSubscription("greet", ["Greet"], (delivery, _) =>
            {
                received.TrySetResult(delivery);
                return Task.CompletedTask;
            }),
            Ct);
        var delivery = await received.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(id, delivery.Message.EventId);
    }

    [Fact]
    public async Task An_accepted_event_answers_202_and_is_published_once()
    {
        using var client = Fixture.CreateClient();

        using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson()), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal("accepted", body.GetProperty("status").GetString());
        Assert.True(Guid.TryParse(id, out var guid) && guid.Version == 7, $"server-assigned id {id} is not a UUIDv7");
        await Fixture.DrainAsync(Ct);
        var delivery = Assert.Single(Fixture.Published, d => d.Message.EventId == id);
        Assert.Equal("Incident", delivery.Message.EventName);
        Assert.Equal("sensors", delivery.Message.Producer);
        Assert.Equal("db down", delivery.Message.Fields.GetProperty("title").GetString());
        Assert.Equal(0, delivery.Message.ChainDepth);
        Assert.False(string.IsNullOrEmpty(delivery.Message.ManifestVersion));
    }

    [Fact]
    public async Task A_retried_id_answers_200_with_the_original_acceptance_and_is_not_published_again()
    {
        using var client = Fixture.CreateClient();
        var id = $"evt-{Guid.NewGuid():N}";

        using var first = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson(id)), Ct);
        using var second = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson(id)), Ct);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var original = await first.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var repeat = await second.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(id, repeat.GetProperty("id").GetString());
        Assert.True(repeat.GetProperty("duplicate").GetBoolean());
        Assert.Equal(
            original.GetProperty("accepted_at").GetDateTimeOffset().ToUnixTimeMilliseconds(),
            repeat.GetProperty("accepted_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        await Fixture.DrainAsync(Ct);
        Assert.Equal(1, Fixture.PublishedCount(d => d.Message.EventId == id));
    }

    [Fact]
    public async Task The_same_id_with_a_different_payload_is_a_409_conflict()
    {
        using var client = Fixture.CreateClient();
        var id = $"evt-{Guid.NewGuid():N}";

        using var first = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson(id)), Ct);
        using var second = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson(id, title: "other")), Ct);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await AssertProblemAsync(second, HttpStatusCode.Conflict, ReceiverErrorCodes.EventIdConflict);
    }

    [Fact]
    public async Task A_thousand_concurrent_posts_of_a_hundred_ids_publish_exactly_a_hundred()
    {
        using var client = Fixture.CreateClient();
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, 100).Select(i => $"c-{run}-{i}").ToArray();
        using var gate = new SemaphoreSlim(32);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            await gate.WaitAsync(Ct);
            try
            {
                // A producer retries a 503 (the store or bus was briefly too slow): it was not accepted.
                for (var attempt = 1; ; attempt++)
                {
                    using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson(ids[i % 100])), Ct);
                    if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 20)
                    {
                        return response.StatusCode;
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(900, statuses.Count(s => s == HttpStatusCode.OK));
        await Fixture.DrainAsync(Ct);
        Assert.Equal(100, Fixture.PublishedCount(d => d.Message.EventId.StartsWith($"c-{run}-", StringComparison.Ordinal)));
        Assert.All(ids, id => Assert.Equal(1, Fixture.PublishedCount(d => d.Message.EventId == id)));
    }

    [Theory]
    [InlineData("{\"name\":\"Nope\",\"fields\":{}}", ReceiverErrorCodes.UnknownEvent, "name")]
    [InlineData("{\"name\":\"Incident\",\"fields\":{\"source\":\"sentry\",\"issue_id\":\"1\",\"link\":\"https://x.io\",\"count\":1}}", ReceiverErrorCodes.MissingField, "fields.title")]
    [InlineData("{\"name\":\"Incident\",\"fields\":{\"source\":\"sentry\",\"issue_id\":\"1\",\"title\":5,\"link\":\"https://x.io\",\"count\":1}}", ReceiverErrorCodes.WrongType, "fields.title")]
    [InlineData("{\"name\":\"Incident\",\"fields\":{\"source\":\"sentry\",\"issue_id\":\"1\",\"title\":\"t\",\"link\":\"https://x.io\",\"count\":3.0}}", ReceiverErrorCodes.WrongType, "fields.count")]
    [InlineData("{\"name\":\"Incident\",\"fields\":{\"source\":\"pagerduty\",\"issue_id\":\"1\",\"title\":\"t\",\"link\":\"https://x.io\",\"count\":1}}", ReceiverErrorCodes.NotInEnum, "fields.source")]
    [InlineData("{\"name\":\"Incident\",\"fields\":{\"source\":\"sentry\",\"issue_id\":\"1\",\"title\":\"t\",\"link\":\"not a url\",\"count\":1}}", ReceiverErrorCodes.InvalidFormat, "fields.link")]
    [InlineData("{\"fields\":{}}", ReceiverErrorCodes.InvalidEnvelope, null)]
    [InlineData("{\"name\":\"Greet\",\"fields\":[1]}", ReceiverErrorCodes.InvalidEnvelope, null)]
    [InlineData("{\"name\":\"Greet\",\"fields\":{\"name\":\"x\"},\"occurred_at\":\"yesterday\"}", ReceiverErrorCodes.InvalidEnvelope, null)]
    [InlineData("{\"name\":\"Greet\",", ReceiverErrorCodes.MalformedJson, null)]
    [InlineData("[]", ReceiverErrorCodes.BatchTooLarge, null)]
    public async Task An_invalid_event_answers_400_with_a_stable_code_and_is_not_published(string body, string code, string? path)
    {
        using var client = Fixture.CreateClient();

        using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(body), Ct);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, code);
        if (path is not null)
        {
            var paths = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("path").GetString());
            Assert.Contains(path, paths);
        }

        await AssertNothingPublishedButTheSentinelAsync();
    }

    [Fact]
    public async Task Missing_or_wrong_credentials_answer_401_and_publish_nothing()
    {
        using var anonymous = Fixture.CreateClient(bearer: null);
        using var wrong = Fixture.CreateClient(bearer: "not-the-secret");

        await AssertProblemAsync(await anonymous.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson()), Ct), HttpStatusCode.Unauthorized, ReceiverErrorCodes.Unauthorized);
        await AssertProblemAsync(await wrong.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson()), Ct), HttpStatusCode.Unauthorized, ReceiverErrorCodes.Unauthorized);
        await AssertNothingPublishedButTheSentinelAsync();
    }

    [Fact]
    public async Task An_event_the_producer_may_not_send_answers_403()
    {
        using var limited = Fixture.CreateClient(bearer: ReceiverFixture.LimitedSecret);

        using var forbidden = await limited.PostAsync(Uri("/events"), ReceiverFixture.Json(ReceiverFixture.IncidentJson()), Ct);
        using var allowed = await limited.PostAsync(Uri("/events"), ReceiverFixture.Json("{\"name\":\"Greet\",\"fields\":{\"name\":\"ok\"}}"), Ct);

        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, ReceiverErrorCodes.ForbiddenEvent);
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
    }

    [Fact]
    public async Task Wrong_content_type_answers_415_and_an_oversized_body_413()
    {
        using var client = Fixture.CreateClient();

        using var text = await client.PostAsync(Uri("/events"), new StringContent(ReceiverFixture.IncidentJson(), Encoding.UTF8, "text/plain"), Ct);
        var huge = ReceiverFixture.IncidentJson(title: new string('x', 2 * 1024 * 1024));
        using var large = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(huge), Ct);

        await AssertProblemAsync(text, HttpStatusCode.UnsupportedMediaType, ReceiverErrorCodes.UnsupportedMediaType);
        await AssertProblemAsync(large, HttpStatusCode.RequestEntityTooLarge, ReceiverErrorCodes.PayloadTooLarge);
        await AssertNothingPublishedButTheSentinelAsync();
    }

    [Fact]
    public async Task A_batch_is_answered_with_one_result_per_item()
    {
        using var client = Fixture.CreateClient();
        var id = $"b-{Guid.NewGuid():N}";
        var batch = $"[{ReceiverFixture.IncidentJson(id)}, {{\"name\":\"Greet\",\"fields\":{{}}}}, {ReceiverFixture.IncidentJson(id)}]";

        using var response = await client.PostAsync(Uri("/events"), ReceiverFixture.Json(batch), Ct);

        Assert.Equal((HttpStatusCode)207, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([202, 400, 200], results.Select(r => r.GetProperty("http_status").GetInt32()));
        Assert.Equal(ReceiverErrorCodes.MissingField, results[1].GetProperty("code").GetString());
        await Fixture.DrainAsync(Ct);
        Assert.Equal(1, Fixture.PublishedCount(d => d.Message.EventId == id));
    }

    [Fact]
    public async Task A_signed_request_is_accepted_an_old_timestamp_is_401_and_a_replayed_webhook_id_is_409()
    {
        using var client = Fixture.CreateClient(bearer: null);
        var body = ReceiverFixture.IncidentJson($"s-{Guid.NewGuid():N}");
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();
        var webhookId = $"msg_{Guid.NewGuid():N}";

        using var signed = await client.SendAsync(Signed(body, webhookId, now), Ct);
        using var replayed = await client.SendAsync(Signed(body, webhookId, now), Ct);
        using var old = await client.SendAsync(Signed(body, $"msg_{Guid.NewGuid():N}", now - 301), Ct);
        using var tampered = await client.SendAsync(Signed(body, $"msg_{Guid.NewGuid():N}", now, tamper: true), Ct);

        Assert.Equal(HttpStatusCode.Accepted, signed.StatusCode);
        await AssertProblemAsync(replayed, HttpStatusCode.Conflict, ReceiverErrorCodes.WebhookIdReplayed);
        await AssertProblemAsync(old, HttpStatusCode.Unauthorized, ReceiverErrorCodes.SignatureExpired);
        await AssertProblemAsync(tampered, HttpStatusCode.Unauthorized, ReceiverErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task A_producer_over_its_rate_limit_gets_429_with_Retry_After()
    {
        await using var throttled = CreateFixture(new Dictionary<string, string?>
        {
            ["Loopy:Receiver:RateLimitPerSecond"] = "1",
            ["Loopy:Receiver:RateLimitBurst"] = "2",
        });
        using var client = throttled.CreateClient();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await client.PostAsync(Uri("/events"), ReceiverFixture.Json("{\"name\":\"Greet\",\"fields\":{\"name\":\"x\"}}"), Ct));
        }

        var limited = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, ReceiverErrorCodes.RateLimited);
        Assert.NotNull(limited.Headers.RetryAfter);
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task The_callers_trace_context_is_continued_onto_the_bus_message()
    {
        using var client = Fixture.CreateClient();
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, Uri("/events")) { Content = ReceiverFixture.Json(ReceiverFixture.IncidentJson()) };
        request.Headers.Add("traceparent", $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString();
        await Fixture.DrainAsync(Ct);
        var delivery = Assert.Single(Fixture.Published, d => d.Message.EventId == id);
        Assert.Contains(traceId, delivery.Message.TraceParent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_description_documents_POST_events()
    {
        using var client = Fixture.CreateClient(bearer: null);

        var document = await client.GetFromJsonAsync<JsonElement>(Uri("/openapi/receiver.json"), Ct);

        Assert.True(document.GetProperty("paths").GetProperty("/events").TryGetProperty("post", out _));
    }

    protected static Uri Uri(string path) => new(path, UriKind.Relative);

    protected static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        return problem;
    }

    protected async Task AssertNothingPublishedButTheSentinelAsync()
    {
        await Fixture.DrainAsync(Ct);
        Assert.All(Fixture.Published, d => Assert.StartsWith("sentinel-", d.Message.EventId, StringComparison.Ordinal));
    }

    private static HttpRequestMessage Signed(string body, string webhookId, long timestamp, bool tamper = false)
    {
        var ts = timestamp.ToString(CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, Uri("/events")) { Content = ReceiverFixture.Json(body) };
        var signature = StandardWebhooks.Sign(ReceiverFixture.SigningSecret, webhookId, ts, Encoding.UTF8.GetBytes(tamper ? body + " " : body));
        request.Headers.Add(ProducerAuthenticator.WebhookIdHeader, webhookId);
        request.Headers.Add(ProducerAuthenticator.WebhookTimestampHeader, ts);
        request.Headers.Add(ProducerAuthenticator.WebhookSignatureHeader, signature);
        return request;
    }
}
