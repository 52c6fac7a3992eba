using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Loopy.SensorHost.Tests;

/// <summary>
/// A project with one exec poll sensor (<c>ticker</c>, every second) and a real Receiver. The sensor's script
/// emits one <c>Tick</c> per window (its fields: the window start) and appends every invocation's stdin to
/// <c>ticks.log</c>, so tests see each window the program was run for.
/// </summary>
public sealed class PollProject : IAsyncDisposable
{
    public const string Sensor = "ticker";

    private readonly List<SensorHostServer> _hosts = [];

    private PollProject(TestProject project, ReceiverServer receiver)
    {
        Project = project;
        Receiver = receiver;
    }

    public TestProject Project { get; }

    public ReceiverServer Receiver { get; }

    public static async Task<PollProject> StartAsync(string script, CancellationToken cancellationToken)
    {
        var manifest = TestManifest.With(TestManifest.DeclaredPoll(Sensor, "1s", "Tick", """
            { "file": "sensors/ticker.yml", "env": [], "exec": ["sh", "sensors/ticker.sh"], "timeout": "5s",
              "verify": null, "when": null, "map": null }
            """));
        var project = new TestProject(manifest);
        project.Write("sensors/ticker.sh", script);
        var receiver = new ReceiverServer(project.Root, manifest);
        await receiver.StartAsync(cancellationToken);
        return new PollProject(project, receiver);
    }

    /// <summary>Logs every invocation, emits one Tick carrying the window start.</summary>
    public const string TickScript = """
        input=$(cat)
        printf '%s\n' "$input" >> ticks.log
        last=$(printf '%s' "$input" | sed -n 's/.*"last_run":"\([^"]*\)".*/\1/p')
        printf '{"fields": {"last_run": "%s"}}\n' "$last"
        """;

    public async Task<SensorHostServer> StartHostAsync(CancellationToken cancellationToken)
    {
        var host = await SensorHostServer.StartAsync(Project.Root, Receiver.Url, null, cancellationToken);
        _hosts.Add(host);
        return host;
    }

    public async Task StopHostAsync(SensorHostServer host)
    {
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    /// <summary>The window starts of the published Tick events, in order of publication.</summary>
    public IReadOnlyList<string> PublishedWindows() =>
        Receiver.Of("Tick").Select(d => d.Message.Fields.GetProperty("last_run").GetString()!).ToList();

    /// <summary>Every invocation of the program so far: (scheduled_at, last_run).</summary>
    public IReadOnlyList<(DateTimeOffset ScheduledAt, DateTimeOffset LastRun)> Invocations()
    {
        var path = Path.Combine(Project.Root, "ticks.log");
        if (!File.Exists(path))
        {
            return [];
        }

        return File.ReadAllLines(path)
            .Where(l => l.Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Parse(e.GetProperty("scheduled_at").GetString()!), Parse(e.GetProperty("last_run").GetString()!)))
            .ToList();
    }

    /// <summary>The sensor's stored checkpoint, read from the Receiver's API.</summary>
    public async Task<JsonElement?> CheckpointAsync(CancellationToken cancellationToken)
    {
        using var client = Receiver.CreateClient();
        using var response = await client.GetAsync(new Uri($"sensors/{Sensor}/checkpoint", UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken) : null;
    }

    public static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.ToList())
        {
            await host.DisposeAsync();
        }

        await Receiver.DisposeAsync();
        Project.Dispose();
    }
}
