using System.Net;
using Loopy.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Loopy.Integration.Tests.Health;

/// <summary>
/// <c>/health</c> reports the dependencies a host is configured with; <c>/alive</c> does not depend on them.
/// Runs in one collection with the other tests that stop servers, so they never overlap.
/// </summary>
[Collection(ServerOutages.Name)]
public class HostHealthTests
{
    [Fact]
    public async Task Health_is_ok_with_every_server_up()
    {
        await using var factory = CreateFactory(postgres: TestServers.Postgres, rabbitmq: TestServers.RabbitMq, redis: TestServers.Redis);
        using var client = factory.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        var health = await client.GetAsync(new Uri("/health", UriKind.Relative), ct);
        var body = await health.Content.ReadAsStringAsync(ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"postgres\"", body, StringComparison.Ordinal);
        Assert.Contains("\"rabbitmq\"", body, StringComparison.Ordinal);
        Assert.Contains("\"redis\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_postgres_makes_health_unhealthy_while_alive_stays_ok()
    {
        await using var factory = CreateFactory(postgres: TestServers.Postgres);
        using var client = factory.CreateClient();
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative), ct)).StatusCode);

        await ServerControl.WhileStoppedAsync("postgres", async () =>
        {
            var health = await client.GetAsync(new Uri("/health", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("Unhealthy", await health.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative), ct)).StatusCode);
        }, ct);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health", UriKind.Relative), ct)).StatusCode);
    }

    private static readonly string Manifest = WriteManifest();

    private static WebApplicationFactory<Program> CreateFactory(string? postgres = null, string? rabbitmq = null, string? redis = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            // The Receiver is ready only with a manifest loaded; give it a minimal one.
            web.UseSetting("Loopy:Receiver:ManifestPath", Manifest);
            web.UseSetting("Loopy:DataDirectory", Path.GetDirectoryName(Manifest));
            web.UseSetting("ConnectionStrings:postgres", postgres);
            web.UseSetting("ConnectionStrings:rabbitmq", rabbitmq);
            web.UseSetting("ConnectionStrings:redis", redis);
        });

    private static string WriteManifest()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("loopy-health-").FullName, "manifest.json");
        File.WriteAllText(path, """
            {"schema_version": "2", "registry": {"events": {"Ping": {"builtin": false, "fields": {"at": {"type": "string"}}}},
             "agents": {}, "sandboxes": {}}, "workflows": {}, "sensors": [], "lineage": {"events": {}}}
            """);
        return path;
    }
}
