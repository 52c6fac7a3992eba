using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.SensorHost.Delivery;
using Loopy.SensorHost.Mapping;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Loopy.SensorHost.Tests;

/// <summary>The delivery client's retry policy, against a scripted Receiver.</summary>
public sealed class ReceiverClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Retries_429_and_503_with_the_same_id_and_honours_Retry_After()
    {
        var handler = new ScriptedReceiver(
            () => Answer(HttpStatusCode.ServiceUnavailable, retryAfterSeconds: 1),
            () => Answer(HttpStatusCode.TooManyRequests),
            () => Answer(HttpStatusCode.Accepted));
        var client = Client(handler, attempts: 5);

        var watch = Stopwatch.StartNew();
        var result = await client.DeliverAsync(new CandidateEvent("Ping", new JsonObject { ["n"] = 1 }), "evt-1", Ct);

        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        Assert.Equal(3, handler.Bodies.Count);
        Assert.All(handler.Bodies, b => Assert.Equal("evt-1", JsonDocument.Parse(b).RootElement.GetProperty("id").GetString()));
        Assert.All(handler.Bodies, b => Assert.Equal(handler.Bodies[0], b));
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), "the Retry-After of 1 s was not honoured");
        Assert.All(handler.Authorizations, a => Assert.Equal("Bearer producer-secret", a));
    }

    [Fact]
    public async Task Gives_up_after_the_configured_attempts_and_reports_unavailable()
    {
        var handler = new ScriptedReceiver(() => throw new HttpRequestException("connection refused"));
        var result = await Client(handler, attempts: 3).DeliverAsync(new CandidateEvent("Ping", new JsonObject()), "evt-2", Ct);
        Assert.Equal(DeliveryOutcome.Unavailable, result.Outcome);
        Assert.Equal(3, handler.Bodies.Count);
    }

    [Fact]
    public async Task A_rejection_is_not_retried_and_carries_the_Receivers_code()
    {
        var handler = new ScriptedReceiver(() => Answer(HttpStatusCode.BadRequest, problem: """{"code": "missing_field", "detail": "the fields do not match"}"""));
        var result = await Client(handler, attempts: 5).DeliverAsync(new CandidateEvent("Ping", new JsonObject()), "evt-3", Ct);
        Assert.Equal(DeliveryOutcome.Rejected, result.Outcome);
        Assert.Equal(400, result.Status);
        Assert.Equal("missing_field", result.Code);
        Assert.Equal("the fields do not match", result.Detail);
        Assert.Single(handler.Bodies);
    }

    private static ReceiverClient Client(ScriptedReceiver handler, int attempts)
    {
        var options = Options.Create(new SensorHostOptions
        {
            DeliveryAttempts = attempts,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromSeconds(5),
        });
        var http = new HttpClient(handler) { BaseAddress = new Uri("http://receiver.test/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "producer-secret");
        return new ReceiverClient(http, options, TimeProvider.System, NullLogger<ReceiverClient>.Instance);
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, int? retryAfterSeconds = null, string? problem = null)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(problem ?? "{}", Encoding.UTF8, problem is null ? "application/json" : "application/problem+json"),
        };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    /// <summary>Answers each request with the next scripted answer (the last one repeats), recording what was sent.</summary>
    private sealed class ScriptedReceiver(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public List<string> Bodies { get; } = [];

        public List<string> Authorizations { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Add(await request.Content!.ReadAsStringAsync(cancellationToken));
            Authorizations.Add(request.Headers.Authorization?.ToString() ?? string.Empty);
            return answers[Math.Min(Bodies.Count - 1, answers.Length - 1)]();
        }
    }
}
