using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Loopy.Testing;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// The vendor path of the compose shape, from the published hosts: a signed GitHub delivery through nginx reaches the
/// SensorHost (<c>/hooks/</c>), which verifies it and posts the event back through nginx to a Receiver as the
/// <c>sensorhost</c> producer; a Runtime runs the workflow. A redelivery makes no second run; a forged one is refused.
/// </summary>
[Collection(ServerOutages.Name)]
public sealed class WebhookThroughNginxTests
{
    private const string PullRequestOpened = """
        {"action": "opened", "number": 42,
         "pull_request": {"number": 42, "title": "Fix the flaky retry test", "html_url": "https://github.com/octo-org/widgets/pull/42",
                          "head": {"ref": "fix-flaky-retry"}, "base": {"ref": "main"}},
         "repository": {"full_name": "octo-org/widgets"}}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signed_GitHub_delivery_through_nginx_becomes_one_run_and_a_forged_one_is_refused()
    {
        var nginxBinary = NginxProcess.RequireBinary();

        await using var deployment = await PublishedDeployment.CreateAsync(TestServers.Postgres, TestServers.RabbitMq, Ct);
        await deployment.StartCompilerAsync(NginxProcess.FreePort(), Ct);
        var receiver = await deployment.ReceiverAsync("receiver", NginxProcess.FreePort(), Ct);
        var runtime = await deployment.RuntimeAsync("runtime", NginxProcess.FreePort(), Ct);
        receiver.Start();
        runtime.Start();
        await receiver.WaitHealthyAsync(Ct);
        await runtime.WaitHealthyAsync(Ct);
        var sensorHostPort = NginxProcess.FreePort();
        await using var nginx = await NginxProcess.StartAsync(nginxBinary, [receiver.Port], Ct, sensorHostPort);
        var sensorHost = await deployment.SensorHostAsync("sensorhost", sensorHostPort, nginx.Url, Ct);
        sensorHost.Start();
        await sensorHost.WaitHealthyAsync(Ct);

        using var client = new HttpClient { BaseAddress = nginx.Url, Timeout = TimeSpan.FromSeconds(30) };
        var delivery = Guid.NewGuid().ToString();
        string id;
        using (var response = await client.SendAsync(GitHub(delivery, PublishedDeployment.GitHubSecret), Ct))
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}\n{sensorHost.Output}\n{nginx.Diagnostics()}");
            using var answer = JsonDocument.Parse(text);
            Assert.Equal("Github.PullRequestOpened", answer.RootElement.GetProperty("emitted")[0].GetString());
            id = answer.RootElement.GetProperty("ids")[0].GetString()!;
        }

        // GitHub redelivers the same delivery: the SensorHost derives the same id and the Receiver dedupes it.
        using (var again = await client.SendAsync(GitHub(delivery, PublishedDeployment.GitHubSecret), Ct))
        {
            Assert.True(again.IsSuccessStatusCode, $"redelivery: {(int)again.StatusCode}");
        }

        using (var forged = await client.SendAsync(GitHub(Guid.NewGuid().ToString(), "not-the-secret"), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        IReadOnlyList<RunRow> runs = [];
        await Wait.UntilAsync(async () =>
        {
            runs = await deployment.RunsAsync(string.Empty, Ct, PublishedDeployment.ReviewWorkflow);
            return runs.Any(r => r.Status is not "running");
        }, TimeSpan.FromSeconds(60), Ct);
        var run = Assert.Single(runs);
        Assert.Equal(id, run.EventId);
        Assert.Equal(new RunRow(id, "completed", 1), run);
    }

    private static HttpRequestMessage GitHub(string delivery, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/hooks/github", UriKind.Relative))
        {
            Content = new StringContent(PullRequestOpened, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-GitHub-Event", "pull_request");
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256",
            "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(PullRequestOpened))));
        return request;
    }
}
