using System.Net;
using System.Text.Json;
using Loopy.Testing;

namespace Loopy.Runtime.Tests.Engine;

/// <summary>Preflight (AUTHORING.md §8.7): a run whose agents cannot run here fails at start with every problem named, and the runtime carries on.</summary>
public sealed class RunPreflightTests : IAsyncDisposable
{
    private RuntimeFixture? _runtime;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_whose_agents_cannot_run_fails_at_start_with_all_problems_and_the_runtime_carries_on()
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-preflight-").FullName;
        var bin = Directory.CreateDirectory(Path.Combine(root, "empty-bin")).FullName;
        Write(root, "registry.yml", """
            sandboxes:
              default: { provider: local }
              Web: { provider: local, network: [api.github.com] }
              Keyless: { provider: local, env_file: keyless.env }
              Ghost: { provider: nowhere }
              Leaky: { provider: local, env_file: ../../etc/passwd }
            agents:
              Ok: { sandbox: default, harness: exec, model: ok-v1, command: [sh, -c, "echo done"] }
              Surfer: { sandbox: Web, harness: exec, model: web-v1, command: [sh, -c, "echo hi"] }
              Writer: { sandbox: Keyless, harness: claude-code, model: claude-sonnet-4-6 }
              Phantom: { sandbox: Ghost, harness: exec, model: p-v1, command: [sh, -c, "echo boo"] }
              Leaker: { sandbox: Leaky, harness: exec, model: l-v1, command: [sh, -c, "echo leak"] }
              Missing: { sandbox: default, harness: exec, model: m-v1, command: [no-such-program-xyz] }
            events:
              Go: { n: str }
              Fine: { n: str }
            """);
        Write(root, "keyless.env", $"PATH={bin}\n");
        Write(root, "workflows/broken/a.md", "---\non: Go\nagent: Surfer\n---\nA");
        Write(root, "workflows/broken/b.md", "---\nafter: a\nagent: Writer\n---\nB");
        Write(root, "workflows/broken/c.md", "---\nafter: a\nagent: Phantom\n---\nC");
        Write(root, "workflows/broken/d.md", "---\nafter: a\nagent: Leaker\n---\nD");
        Write(root, "workflows/broken/e.md", "---\nafter: a\nagent: Missing\n---\nE");
        Write(root, "workflows/fine/only.md", "---\non: Fine\nagent: Ok\n---\nFine");
        TestProjects.Compile(root);
        _runtime = await RuntimeFixture.StartAsync(root, null, null, null, Ct);

        // Checked when the replica starts serving the version: logged, and readiness degraded (still 200).
        using (var http = _runtime.CreateClient())
        using (var health = await http.GetAsync(new Uri("/health", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync(Ct));
            Assert.Equal("Degraded", report.RootElement.GetProperty("status").GetString());
            var description = report.RootElement.GetProperty("checks").GetProperty("runtime").GetProperty("description").GetString()!;
            Assert.Contains("preflight: 1 workflow(s) of manifest sha256:", description, StringComparison.Ordinal);
            Assert.Contains("broken (", description, StringComparison.Ordinal);
            Assert.Contains("'no-such-program-xyz' is not on the sandbox PATH", description, StringComparison.Ordinal);
            Assert.DoesNotContain("fine (", description, StringComparison.Ordinal);
        }

        var logged = Assert.Single(_runtime.Logs.Messages, m => m.StartsWith("Workflow ", StringComparison.Ordinal) && m.Contains("cannot run on this replica", StringComparison.Ordinal));
        Assert.StartsWith("Workflow broken of manifest sha256:", logged, StringComparison.Ordinal);
        Assert.Contains("sandbox 'Ghost': provider 'nowhere' is not available on this host", logged, StringComparison.Ordinal);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);
        var run = await _runtime.WaitForTerminalRunAsync("broken", Ct);

        Assert.Equal("failed", run.GetProperty("status").GetString());
        var error = run.GetProperty("error").GetString()!;
        Assert.StartsWith("preflight failed: ", error, StringComparison.Ordinal);
        Assert.Contains("agent 'Missing': 'no-such-program-xyz' is not on the sandbox PATH", error, StringComparison.Ordinal);
        Assert.Contains($"agent 'Writer': 'claude' is not on the sandbox PATH ({bin})", error, StringComparison.Ordinal);
        Assert.Contains("agent 'Writer': harness key missing: the sandbox env of 'Keyless' provides no ANTHROPIC_API_KEY", error, StringComparison.Ordinal);
        Assert.Contains("sandbox 'Ghost': provider 'nowhere' is not available on this host", error, StringComparison.Ordinal);
        Assert.Contains("sandbox 'Leaky': env_file '../../etc/passwd' escapes the project root", error, StringComparison.Ordinal);
        Assert.Contains("sandbox 'Web': provider 'local' cannot enforce the network allowlist (api.github.com)", error, StringComparison.Ordinal);
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.Equal("skipped", s.GetProperty("status").GetString()));
        var history = await _runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        Assert.Equal(["run_started", "run_failed"], history.Select(h => h.GetProperty("kind").GetString()));
        Assert.Equal(error, history[^1].GetProperty("payload").GetProperty("error").GetString());

        await _runtime.PublishAsync("Fine", new { n = "1" }, cancellationToken: Ct);
        Assert.Equal("completed", (await _runtime.WaitForTerminalRunAsync("fine", Ct)).GetProperty("status").GetString());

        // A version without the broken workflow is checked when the replica switches to it: readiness is healthy again.
        Directory.Delete(Path.Combine(root, "workflows", "broken"), recursive: true);
        TestProjects.Compile(root);
        using var client = _runtime.CreateClient();
        await Wait.UntilAsync(async () =>
        {
            using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), Ct);
            using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync(Ct));
            return report.RootElement.GetProperty("status").GetString() == "Healthy";
        }, TimeSpan.FromSeconds(30), "/health healthy after the switch", Ct);
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text + "\n");
    }

    public async ValueTask DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
    }
}
