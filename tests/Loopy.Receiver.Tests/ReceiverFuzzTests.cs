using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Loopy.Receiver.Tests;

/// <summary>
/// Thousands of mutated bodies and headers against the standalone Receiver: every answer is a
/// documented status with a ProblemDetails body, never a 5xx (503 is the only documented one, and the
/// standalone wiring has no dependency that can be down), never a hang.
/// </summary>
public sealed class ReceiverFuzzTests : IAsyncLifetime
{
    private static readonly HttpStatusCode[] Documented =
    [
        HttpStatusCode.OK, HttpStatusCode.Accepted, (HttpStatusCode)207, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized,
        HttpStatusCode.Forbidden, HttpStatusCode.Conflict, HttpStatusCode.RequestEntityTooLarge,
        HttpStatusCode.UnsupportedMediaType, HttpStatusCode.TooManyRequests,
    ];

    private readonly ReceiverFixture _fixture = new(null, null, new Dictionary<string, string?>
    {
        ["Loopy:Receiver:MaxBodyBytes"] = "4096",
    });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task Mutated_requests_never_get_an_undocumented_status()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = new Random(20261123);
        using var client = _fixture.CreateClient(bearer: null);
        client.Timeout = TimeSpan.FromSeconds(10);
        string[] seeds =
        [
            ReceiverFixture.IncidentJson("fuzz-1"),
            "{\"name\":\"Greet\",\"fields\":{\"name\":\"x\"}}",
            $"[{ReceiverFixture.IncidentJson()},{{\"name\":\"Greet\",\"fields\":{{\"name\":\"y\"}}}}]",
            "{\"id\":null,\"name\":\"Greet\",\"fields\":{\"name\":\"z\"},\"occurred_at\":\"2026-11-23T10:00:00Z\"}",
        ];
        string[] contentTypes = ["application/json", "application/json; charset=utf-8", "text/plain", "application/cloudevents+json", "", "application/x-www-form-urlencoded"];
        string?[] authorizations = [$"Bearer {ReceiverFixture.Secret}", "Bearer ", "Basic abc", null, $"Bearer {ReceiverFixture.LimitedSecret}", "Bearer \u0001"];
        var seen = new Dictionary<HttpStatusCode, int>();

        for (var i = 0; i < 3000; i++)
        {
            var body = Mutate(seeds[random.Next(seeds.Length)], random);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/events", UriKind.Relative))
            {
                Content = new ByteArrayContent(body),
            };
            var contentType = contentTypes[random.Next(contentTypes.Length)];
            if (contentType.Length > 0)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            if (authorizations[random.Next(authorizations.Length)] is { } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            if (random.Next(6) == 0)
            {
                request.Headers.TryAddWithoutValidation("webhook-id", Garbage(random, 12));
                request.Headers.TryAddWithoutValidation("webhook-timestamp", random.Next(3) == 0 ? "-1" : Garbage(random, 10));
                request.Headers.TryAddWithoutValidation("webhook-signature", "v1," + Garbage(random, 44));
            }

            using var response = await client.SendAsync(request, ct);
            seen[response.StatusCode] = seen.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True(Documented.Contains(response.StatusCode), $"request {i} got {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
            var text = await response.Content.ReadAsStringAsync(ct);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        }

        // The mutations reach deep enough to be both accepted and refused for several reasons.
        Assert.True(seen.GetValueOrDefault(HttpStatusCode.Accepted) + seen.GetValueOrDefault(HttpStatusCode.OK) > 0);
        Assert.True(seen.GetValueOrDefault(HttpStatusCode.BadRequest) > 0);
        Assert.True(seen.GetValueOrDefault(HttpStatusCode.Unauthorized) > 0);
    }

    private static byte[] Mutate(string seed, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(seed).ToList();
        var mutations = random.Next(0, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes.RemoveAt(at);
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2:
                    bytes[at] = (byte)"{}[]\":,0\\n"[random.Next(10)];
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string('[', random.Next(1, 200))));
                    break;
                case 4:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string('x', random.Next(1, 6000))));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    private static string Garbage(Random random, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(33, 127))]);
}
