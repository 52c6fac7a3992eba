using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Loopy.Testing;

namespace Loopy.SensorHost.Tests;

/// <summary>Webhook sensors end to end: a vendor request to the SensorHost, the events accepted by a real Receiver.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private WebhookProject? _stack;

    private WebhookProject Stack => _stack ?? throw new InvalidOperationException("not started");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _stack = await WebhookProject.StartAsync(null, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_GitHub_pull_request_opened_delivery_becomes_Github_PullRequestOpened_accepted_by_the_Receiver()
    {
        using var client = Stack.Host.CreateClient();
        using var response = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, Guid.NewGuid().ToString()), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(["Github.PullRequestOpened"], answer.GetProperty("emitted").EnumerateArray().Select(e => e.GetString()));
        var id = Assert.Single(answer.GetProperty("ids").EnumerateArray()).GetString();

        await Wait.UntilAsync(() => Stack.Receiver.Of("Github.PullRequestOpened").Any(d => d.Message.EventId == id), TimeSpan.FromSeconds(20), Ct);
        var message = Stack.Receiver.Of("Github.PullRequestOpened").Single().Message;
        Assert.Equal("sensorhost", message.Producer);
        Assert.Equal(42, message.Fields.GetProperty("number").GetInt32());
        Assert.Equal("octo-org/widgets", message.Fields.GetProperty("repo").GetString());
        Assert.Equal("Fix the flaky retry test", message.Fields.GetProperty("title").GetString());
        Assert.Equal("fix-flaky-retry", message.Fields.GetProperty("branch").GetString());
        Assert.Equal("main", message.Fields.GetProperty("base").GetString());
        Assert.Equal("https://github.com/octo-org/widgets/pull/42", message.Fields.GetProperty("url").GetString());
        Assert.Empty(Stack.Receiver.Of("Github.Push"));
    }

    [Fact]
    public async Task A_redelivery_with_the_same_delivery_id_keeps_its_event_id_and_is_published_once()
    {
        using var client = Stack.Host.CreateClient();
        var delivery = Guid.NewGuid().ToString();
        using var first = await client.SendAsync(WebhookProject.GitHub(Payloads.Push, delivery, "push"), Ct);
        using var second = await client.SendAsync(WebhookProject.GitHub(Payloads.Push, delivery, "push"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var firstIds = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("ids").GetRawText();
        Assert.Equal(firstIds, (await second.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("ids").GetRawText());

        await Stack.Receiver.DrainAsync(Ct);
        var push = Assert.Single(Stack.Receiver.Of("Github.Push"));
        Assert.Equal(2, push.Message.Fields.GetProperty("commit_count").GetInt32());
    }

    [Fact]
    public async Task A_delivery_no_sensor_recognises_is_answered_200_with_nothing_emitted()
    {
        using var client = Stack.Host.CreateClient();
        using var response = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestClosedUnmerged, Guid.NewGuid().ToString()), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(0, answer.GetProperty("emitted").GetArrayLength());
        Assert.Equal(0, answer.GetProperty("ids").GetArrayLength());
        await Stack.Receiver.DrainAsync(Ct);
        Assert.Empty(Stack.Receiver.Of("Github.PullRequestOpened"));
    }

    [Fact]
    public async Task Bad_signatures_get_401_invalid_JSON_400_and_a_large_body_413_and_nothing_is_emitted()
    {
        using var client = Stack.Host.CreateClient();
        using var unsigned = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, "d1", secret: null), Ct);
        await AssertProblemAsync(unsigned, HttpStatusCode.Unauthorized, "invalid_signature");
        using var wrongSecret = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, "d2", secret: "not-the-secret"), Ct);
        await AssertProblemAsync(wrongSecret, HttpStatusCode.Unauthorized, "invalid_signature");

        var tampered = WebhookProject.GitHub(Payloads.PullRequestOpened, "d3");
        tampered.Content = new StringContent(Payloads.PullRequestOpened.Replace("Fix the flaky", "Break the", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
        using var tamperedResponse = await client.SendAsync(tampered, Ct);
        await AssertProblemAsync(tamperedResponse, HttpStatusCode.Unauthorized, "invalid_signature");

        using var stale = await client.SendAsync(WebhookProject.StandardSigned("/hooks/ping", "{}", timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds()), Ct);
        await AssertProblemAsync(stale, HttpStatusCode.Unauthorized, "invalid_signature");

        using var notJson = await client.SendAsync(WebhookProject.GitHub("{\"action\": \"opened\",", "d4"), Ct);
        await AssertProblemAsync(notJson, HttpStatusCode.BadRequest, "malformed_json");

        var large = "{\"pad\": \"" + new string('x', 1024 * 1024) + "\"}";
        using var tooLarge = await client.SendAsync(WebhookProject.GitHub(large, "d5"), Ct);
        await AssertProblemAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        await Stack.Receiver.DrainAsync(Ct);
        Assert.Empty(Stack.Receiver.Of("Github.PullRequestOpened"));
        Assert.Empty(Stack.Receiver.Of("Ping"));
    }

    [Fact]
    public async Task A_declarative_sensor_maps_paths_when_its_condition_holds_and_yields_nothing_otherwise()
    {
        using var client = Stack.Host.CreateClient();
        const string opened = """{"action": "opened", "incident": {"service": "billing", "title": "db down", "url": "https://status.example.com/i/9"}}""";
        using var matched = await client.SendAsync(Incident(opened), Ct);
        Assert.Equal(HttpStatusCode.Accepted, matched.StatusCode);

        const string closed = """{"action": "closed", "incident": {"service": "billing", "title": "db up", "url": "https://status.example.com/i/9"}}""";
        using var ignored = await client.SendAsync(Incident(closed), Ct);
        Assert.Equal(HttpStatusCode.OK, ignored.StatusCode);

        await Stack.Receiver.DrainAsync(Ct);
        var incident = Assert.Single(Stack.Receiver.Of("Incident")).Message.Fields;
        Assert.Equal("manual", incident.GetProperty("source").GetString());
        Assert.Equal("billing", incident.GetProperty("service").GetString());
        Assert.Equal("db down", incident.GetProperty("title").GetString());
        Assert.Equal("https://status.example.com/i/9", incident.GetProperty("link").GetString());
    }

    [Fact]
    public async Task An_event_the_Receiver_rejects_is_answered_422_with_the_Receivers_code()
    {
        using var client = Stack.Host.CreateClient();
        const string badLink = """{"action": "opened", "incident": {"service": "billing", "title": "db down", "url": "not a url"}}""";
        using var response = await client.SendAsync(Incident(badLink), Ct);
        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "invalid_format");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));

        const string missingTitle = """{"action": "opened", "incident": {"service": "billing", "url": "https://status.example.com/i/9"}}""";
        using var missing = await client.SendAsync(Incident(missingTitle), Ct);
        await AssertProblemAsync(missing, HttpStatusCode.UnprocessableEntity, "missing_field");
    }

    [Fact]
    public async Task An_exec_webhook_sensor_emits_every_line_and_one_path_fans_out_to_every_sensor()
    {
        using var client = Stack.Host.CreateClient();
        using var ping = await client.SendAsync(WebhookProject.StandardSigned("/hooks/ping", """{"hello": "world"}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        var answer = await ping.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(["Ping", "Ping"], answer.GetProperty("emitted").EnumerateArray().Select(e => e.GetString()));

        using var fanout = await client.SendAsync(WebhookProject.StandardSigned("/hooks/fanout", """{"service": "api", "title": "slow"}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, fanout.StatusCode);
        var fanned = await fanout.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(["Incident", "Ping", "Ping"], fanned.GetProperty("emitted").EnumerateArray().Select(e => e.GetString()));

        await Stack.Receiver.DrainAsync(Ct);
        Assert.Equal(4, Stack.Receiver.Of("Ping").Count);
        Assert.Equal([1, 1, 2, 2], Stack.Receiver.Of("Ping").Select(d => d.Message.Fields.GetProperty("n").GetInt32()).Order());
        Assert.Equal("api", Assert.Single(Stack.Receiver.Of("Incident")).Message.Fields.GetProperty("service").GetString());
    }

    [Fact]
    public async Task An_exec_sensor_that_names_another_event_fails_with_502_and_emits_nothing()
    {
        using var client = Stack.Host.CreateClient();
        using var response = await client.SendAsync(WebhookProject.StandardSigned("/hooks/wrong", "{}"), Ct);
        await AssertProblemAsync(response, HttpStatusCode.BadGateway, "sensor_failed");
        await Stack.Receiver.DrainAsync(Ct);
        Assert.Empty(Stack.Receiver.Of("Ping"));
        Assert.Empty(Stack.Receiver.Of("Incident"));
    }

    [Fact]
    public async Task While_the_Receiver_is_down_the_vendor_gets_503_with_Retry_After_and_its_retry_is_accepted_once()
    {
        using var client = Stack.Host.CreateClient();
        var delivery = Guid.NewGuid().ToString();
        await Stack.Receiver.StopAsync();
        using (var down = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, delivery), Ct))
        {
            await AssertProblemAsync(down, HttpStatusCode.ServiceUnavailable, "receiver_unavailable");
            Assert.NotNull(down.Headers.RetryAfter);
        }

        await Stack.Receiver.StartAsync(Ct);
        using var retried = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, delivery), Ct);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        using var again = await client.SendAsync(WebhookProject.GitHub(Payloads.PullRequestOpened, delivery), Ct);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);

        await Stack.Receiver.DrainAsync(Ct);
        Assert.Single(Stack.Receiver.Of("Github.PullRequestOpened"));
    }

    private static HttpRequestMessage Incident(string body)
    {
        var request = WebhookProject.Json("/hooks/incidents", body);
        request.Headers.Add("X-Incident-Signature", "sha256=" + Sign.HexHmac(WebhookProject.IncidentSecret, body));
        return request;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
