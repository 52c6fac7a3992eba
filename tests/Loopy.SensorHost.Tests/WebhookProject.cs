using System.Globalization;
using System.Text;

namespace Loopy.SensorHost.Tests;

/// <summary>
/// A project with webhook sensors of every kind, a real Receiver and a SensorHost delivering to it over loopback HTTP.
/// </summary>
public sealed class WebhookProject : IAsyncDisposable
{
    public const string GitHubSecret = "gh-secret-for-tests";
    public const string IncidentSecret = "incident-secret-for-tests";
    public const string PingSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private WebhookProject(TestProject project, ReceiverServer receiver, SensorHostServer host)
    {
        Project = project;
        Receiver = receiver;
        Host = host;
    }

    public TestProject Project { get; }

    public ReceiverServer Receiver { get; }

    public SensorHostServer Host { get; }

    public static string Manifest => TestManifest.With(
        TestManifest.Builtin("Github.PullRequestOpened", "github"),
        TestManifest.Builtin("Github.Push", "github"),
        TestManifest.DeclaredWebhook("incident_webhook", "/hooks/incidents", "Incident", """
            { "file": "sensors/incidents.yml", "env": [], "exec": null, "timeout": "60s",
              "verify": { "scheme": "hmac-sha256", "header": "X-Incident-Signature", "prefix": "sha256=", "secret": "INCIDENT_WEBHOOK_SECRET" },
              "when": { "$.action": "opened" },
              "map": { "source": "manual", "service": "$.incident.service", "title": "$.incident.title", "link": "$.incident.url" } }
            """),
        TestManifest.DeclaredWebhook("fanout_map", "/hooks/fanout", "Incident", """
            { "file": "sensors/fanout.yml", "env": [], "exec": null, "timeout": "60s",
              "verify": { "scheme": "standard-webhooks", "secret": "PING_SECRET" }, "when": null,
              "map": { "source": "manual", "service": "$.service", "title": "$.title", "link": "https://example.com/x" } }
            """),
        TestManifest.DeclaredWebhook("fanout_exec", "/hooks/fanout", "Ping", """
            { "file": "sensors/fanout.yml", "env": [], "exec": ["sh", "sensors/ping.sh"], "timeout": "20s",
              "verify": { "scheme": "standard-webhooks", "secret": "PING_SECRET" }, "when": null, "map": null }
            """),
        TestManifest.DeclaredWebhook("ping_exec", "/hooks/ping", "Ping", """
            { "file": "sensors/ping.yml", "env": [], "exec": ["sh", "sensors/ping.sh"], "timeout": "20s",
              "verify": { "scheme": "standard-webhooks", "secret": "PING_SECRET" }, "when": null, "map": null }
            """),
        TestManifest.DeclaredWebhook("ping_wrong_name", "/hooks/wrong", "Ping", """
            { "file": "sensors/ping.yml", "env": [], "exec": ["sh", "sensors/wrong.sh"], "timeout": "20s",
              "verify": { "scheme": "standard-webhooks", "secret": "PING_SECRET" }, "when": null, "map": null }
            """));

    /// <summary>Starts the stack; GitHub and incident secrets come from <c>sensors/.env</c>, the Standard Webhooks one from configuration.</summary>
    public static async Task<WebhookProject> StartAsync(IDictionary<string, string?>? settings, CancellationToken cancellationToken)
    {
        var project = new TestProject(Manifest);
        project.Write("sensors/.env", $"GITHUB_WEBHOOK_SECRET={GitHubSecret}\nINCIDENT_WEBHOOK_SECRET=\"{IncidentSecret}\"\n");
        // Emits two Ping events when it was given a webhook request for /hooks/ping or /hooks/fanout.
        project.Write("sensors/ping.sh", """
            input=$(cat)
            case "$input" in
              *'"kind":"webhook"'*'"path":"/hooks/'*) ;;
              *) echo "not a webhook request" >&2; exit 4 ;;
            esac
            echo '{"fields": {"n": 1}, "name": "Ping"}'
            echo '{"fields": {"n": 2}}'
            """);
        project.Write("sensors/wrong.sh", """
            cat >/dev/null
            echo '{"fields": {"n": 1}}'
            echo '{"fields": {"n": 2}, "name": "Incident"}'
            """);
        var receiver = new ReceiverServer(project.Root, Manifest);
        await receiver.StartAsync(cancellationToken);
        var all = new Dictionary<string, string?> { ["PING_SECRET"] = PingSecret };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var host = await SensorHostServer.StartAsync(project.Root, receiver.Url, all, cancellationToken);
        return new WebhookProject(project, receiver, host);
    }

    public static HttpRequestMessage GitHub(string body, string deliveryId, string eventName = "pull_request", string? secret = GitHubSecret)
    {
        var request = Json("/hooks/github", body);
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", deliveryId);
        request.Headers.Add("User-Agent", "GitHub-Hookshot/044aadd");
        if (secret is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", Sign.GitHub(secret, body));
        }

        return request;
    }

    public static HttpRequestMessage StandardSigned(string path, string body, string? messageId = null, long? timestamp = null)
    {
        var id = messageId ?? $"msg_{Guid.NewGuid():N}";
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        var request = Json(path, body);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", ts);
        request.Headers.Add("webhook-signature", Sign.StandardWebhooks(PingSecret, id, ts, body));
        return request;
    }

    public static HttpRequestMessage Json(string path, string body) =>
        new(HttpMethod.Post, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Receiver.DisposeAsync();
        Project.Dispose();
    }
}
