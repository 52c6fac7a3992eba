using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Loopy.SensorHost.Tests;

/// <summary>A webhook path without its secret is refused at start-up, unless explicitly served unverified on loopback.</summary>
public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Manifest = TestManifest.With(
        TestManifest.Builtin("Github.PullRequestOpened", "github"),
        TestManifest.DeclaredWebhook("incident_webhook", "/hooks/incidents", "Incident", """
            { "file": "sensors/incidents.yml", "env": [], "exec": null, "timeout": "60s", "verify": null, "when": null,
              "map": { "source": "manual", "service": "$.service", "title": "$.title", "link": "$.link" } }
            """));

    [Fact]
    public async Task A_path_whose_secret_is_not_set_fails_the_start_naming_the_variable()
    {
        using var project = new TestProject(Manifest);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SensorHostServer.StartAsync(project.Root, new Uri("http://127.0.0.1:9/"), null, Ct));
        Assert.Contains("/hooks/github", error.Message, StringComparison.Ordinal);
        Assert.Contains("GITHUB_WEBHOOK_SECRET", error.Message, StringComparison.Ordinal);
        Assert.Contains("/hooks/incidents", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explicitly_unverified_paths_are_served_on_loopback_with_a_warning()
    {
        using var project = new TestProject(Manifest);
        await using var receiver = new ReceiverServer(project.Root, Manifest);
        await receiver.StartAsync(Ct);
        await using var host = await SensorHostServer.StartAsync(
            project.Root, receiver.Url, new Dictionary<string, string?> { ["Loopy:SensorHost:AllowUnverifiedOnLoopback"] = "true" }, Ct);
        Assert.Equal(2, host.Logs.Count(2));

        using var client = host.CreateClient();
        using var response = await client.SendAsync(
            WebhookProject.Json("/hooks/incidents", """{"service": "api", "title": "slow", "link": "https://example.com/1"}"""), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await receiver.DrainAsync(Ct);
        Assert.Single(receiver.Of("Incident"));
    }

    [Fact]
    public async Task An_unverified_path_refuses_a_request_that_arrives_on_a_non_loopback_address()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (address is null)
        {
            Assert.Skip("this machine has no non-loopback IPv4 address to send from");
        }

        using var project = new TestProject(Manifest);
        await using var host = await SensorHostServer.StartAsync(
            project.Root, new Uri("http://127.0.0.1:9/"), new Dictionary<string, string?> { ["Loopy:SensorHost:AllowUnverifiedOnLoopback"] = "true" }, Ct, bind: "0.0.0.0");
        using var client = new HttpClient { BaseAddress = new Uri($"http://{address}:{host.Url.Port}/") };
        using var response = await client.SendAsync(WebhookProject.Json("/hooks/incidents", """{"service": "api"}"""), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("unverified_path_loopback_only", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_producer_secret_the_Receiver_refuses_is_answered_502_not_blamed_on_the_vendor()
    {
        using var project = new TestProject(Manifest);
        await using var receiver = new ReceiverServer(project.Root, Manifest);
        await receiver.StartAsync(Ct);
        await using var host = await SensorHostServer.StartAsync(project.Root, receiver.Url, new Dictionary<string, string?>
        {
            ["Loopy:SensorHost:AllowUnverifiedOnLoopback"] = "true",
            ["Loopy:SensorHost:ProducerSecret"] = "not-the-producer-secret",
        }, Ct);
        using var client = host.CreateClient();
        using var response = await client.SendAsync(
            WebhookProject.Json("/hooks/incidents", """{"service": "api", "title": "slow", "link": "https://example.com/1"}"""), Ct);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("receiver_refused_producer", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_from_loopy_env_is_enough_to_start()
    {
        using var project = new TestProject(TestManifest.With(TestManifest.Builtin("Github.PullRequestOpened", "github")));
        project.Write("loopy.env", "GITHUB_WEBHOOK_SECRET=from-loopy-env\n");
        await using var host = await SensorHostServer.StartAsync(project.Root, new Uri("http://127.0.0.1:9/"), null, Ct);
        using var client = host.CreateClient();
        using var unsigned = await client.SendAsync(WebhookProject.Json("/hooks/github", Payloads.PullRequestOpened), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
    }
}
