using System.Runtime.Versioning;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Sandbox;
using Loopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopy.Runtime.Tests.Repos;

/// <summary>
/// <c>repos:</c> end to end: a real Runtime runs a workflow whose sandbox declares repositories (real bare repositories
/// cloned over <c>file://</c>); an <c>exec</c> agent lists what it finds in its working directory. Under <c>local</c>
/// and under <c>bwrap</c>, where the agent also probes the project's secrets.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ReposRunTests : IAsyncDisposable
{
    private const string Token = "ghp-e2e-5a4b3c2d1e0f";
    private readonly BareRepository _repo = new();
    private RuntimeFixture? _runtime;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_step_with_repos_sees_them_cloned_in_its_working_directory()
    {
        var root = Project("local", _repo.Url);
        _runtime = await RuntimeFixture.StartAsync(root, null, null, null, Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var output = Assert.Single(run.GetProperty("steps").EnumerateArray()).GetProperty("output");
        Assert.Equal("one.txt two.txt", output.GetProperty("checkout").GetString());
        Assert.Equal("feature.txt one.txt", output.GetProperty("widgets").GetString());
        Assert.Equal("1", output.GetProperty("commits").GetString());
        Assert.Equal("credential.https://github.com.helper", output.GetProperty("helper").GetString());
    }

    [Fact]
    public async Task A_clone_that_fails_is_retried_then_fails_the_step_with_git_s_error_and_the_token_masked()
    {
        var missing = new Uri(Path.Combine(_repo.Folder, $"gone-{Token}.git")).AbsoluteUri;
        var root = Project("local", missing);
        _runtime = await RuntimeFixture.StartAsync(root, null, null, null, Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var history = await _runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        Assert.Equal(2, history.Count(h => h.GetProperty("kind").GetString() == "step_retrying"));
        var failed = Assert.Single(history, h => h.GetProperty("kind").GetString() == "step_failed").GetProperty("payload");
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains("could not be cloned into 'checkout': git exited with code 128", error, StringComparison.Ordinal);
        Assert.Contains("does not appear to be a git repository", error, StringComparison.Ordinal);
        Assert.Contains("gone-***.git", error, StringComparison.Ordinal);
        var everything = string.Join("\n", [run.ToString(), .. history.Select(h => h.ToString()), .. _runtime.Logs.Messages]);
        Assert.DoesNotContain(Token, everything, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root, "out", "agent-ran")));
    }

    [Fact]
    public async Task The_clone_and_the_agent_share_the_attempt_s_wall_clock()
    {
        // Cloning takes 2 s (a git that waits first), the agent 2 s, the budget is 3 s: each alone fits, together not.
        var root = Directory.CreateTempSubdirectory("loopy-rt-repos-clock-").FullName;
        Write(root, "registry.yml", $$"""
            sandboxes:
              default: { provider: local, env_file: secrets/git.env, repos: ["{{_repo.Url}}"] }
            agents:
              Slow: { sandbox: default, harness: exec, model: s-v1, command: [sh, -c, "cat >/dev/null; sleep 2; echo done"] }
            events:
              Go: { n: str }
            """);
        Write(root, "slowbin/git", "#!/bin/sh\nsleep 2\nexec /usr/bin/git \"$@\"");
        File.SetUnixFileMode(Path.Combine(root, "slowbin", "git"), (UnixFileMode)0b111_101_101);
        Write(root, "secrets/git.env", $"GIT_CONFIG_GLOBAL={_repo.GlobalConfig}\nPATH={Path.Combine(root, "slowbin")}:/usr/local/bin:/usr/bin:/bin");
        Write(root, "workflows/look/slow.md", "---\non: Go\nagent: Slow\nbudget: { wall_clock: 3 }\n---\nWait.");
        TestProjects.Compile(root);
        _runtime = await RuntimeFixture.StartAsync(root, null, null, null, Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var history = await _runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        var failed = Assert.Single(history, h => h.GetProperty("kind").GetString() == "step_failed").GetProperty("payload");
        Assert.Contains("wall-clock budget exceeded", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(failed.GetProperty("terminal").GetBoolean());
    }

    [Fact]
    public async Task Repos_that_escape_the_working_directory_or_need_a_missing_git_fail_preflight()
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-repos-preflight-").FullName;
        var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
        Write(root, "registry.yml", $$"""
            sandboxes:
              Escaping:
                provider: local
                repos: [{ url: acme/one, path: ../outside }, { url: "{{_repo.Url}}", path: /tmp/abs }]
              Twice:
                provider: local
                repos: [acme/tool, { url: other/tool }]
              Gitless:
                provider: local
                env_file: gitless.env
                repos: [acme/runbooks]
            agents:
              A: { sandbox: Escaping, harness: exec, model: a-v1, command: [sh, -c, "echo a"] }
              B: { sandbox: Twice, harness: exec, model: b-v1, command: [sh, -c, "echo b"] }
              C: { sandbox: Gitless, harness: exec, model: c-v1, command: [{{Path.Combine(bin, "agent")}}] }
            events:
              Go: { n: str }
            """);
        Write(root, "gitless.env", $"PATH={bin}");
        Write(root, "bin/agent", "#!/bin/sh\necho c");
        File.SetUnixFileMode(Path.Combine(bin, "agent"), (UnixFileMode)0b111_101_101);
        Write(root, "workflows/look/a.md", "---\non: Go\nagent: A\n---\nA");
        Write(root, "workflows/look/b.md", "---\nafter: a\nagent: B\n---\nB");
        Write(root, "workflows/look/c.md", "---\nafter: a\nagent: C\n---\nC");
        TestProjects.Compile(root);
        _runtime = await RuntimeFixture.StartAsync(root, null, null, null, Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var error = run.GetProperty("error").GetString()!;
        Assert.StartsWith("preflight failed: ", error, StringComparison.Ordinal);
        Assert.Contains("sandbox 'Escaping': repo 'acme/one' path '../outside' escapes the working directory", error, StringComparison.Ordinal);
        Assert.Contains($"sandbox 'Escaping': repo '{_repo.Url}' path '/tmp/abs' escapes the working directory", error, StringComparison.Ordinal);
        Assert.Contains("sandbox 'Twice': repos 'acme/tool' and 'other/tool' are all cloned into 'tool'", error, StringComparison.Ordinal);
        Assert.Contains($"sandbox 'Gitless': 'repos:' needs git, which is not on the sandbox PATH ({bin})", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_bwrap_the_agent_sees_its_repos_and_the_project_s_prompts_but_not_its_secrets()
    {
        var root = Project("bwrap", _repo.Url);
        Write(root, "loopy.env", "GITHUB_APP_ID=secret-marker-loopy");
        Write(root, ".loopy/state.db", "secret-marker-state");
        TestProjects.ShareWithAgents(root);
        var problems = new BwrapSandboxProvider(Microsoft.Extensions.Options.Options.Create(new BwrapOptions()), NullLogger<BwrapSandboxProvider>.Instance)
            .Preflight("default", new ManifestSandbox { Provider = "bwrap" });
        if (problems.Count > 0)
        {
            Assert.SkipWhen(!TestServers.IsCi, string.Join("; ", problems));
            throw new InvalidOperationException($"CI=true and the bwrap sandbox is unusable: {string.Join("; ", problems)}");
        }

        _runtime = await RuntimeFixture.StartAsync(root, null, null, new Dictionary<string, string?> { ["Loopy:Runtime:Bwrap:ReadOnlyBinds:0"] = _repo.Folder }, Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var output = Assert.Single(run.GetProperty("steps").EnumerateArray()).GetProperty("output");
        Assert.Equal("one.txt two.txt", output.GetProperty("checkout").GetString());
        Assert.Equal("feature.txt one.txt", output.GetProperty("widgets").GetString());
        Assert.StartsWith("---", output.GetProperty("prompt").GetString(), StringComparison.Ordinal);
        Assert.Equal("denied denied gone", output.GetProperty("secrets").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }

        _repo.Dispose();
    }

    /// <summary>A project whose one workflow lists the repos cloned into its sandbox (provider <paramref name="provider"/>).</summary>
    private string Project(string provider, string url)
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-repos-").FullName;
        Write(root, "registry.yml", $$"""
            sandboxes:
              default:
                provider: {{provider}}
                env_file: secrets/git.env
                repos: [{ url: "{{url}}", path: checkout }, { url: "{{url}}", ref: feature, depth: null }]
            agents:
              Lister: { sandbox: default, harness: exec, model: ls-v1, command: [sh, scripts/list.sh] }
            events:
              Go: { n: str }
            """);
        Write(root, "secrets/git.env", $"GIT_CONFIG_GLOBAL={_repo.GlobalConfig}\nGITHUB_TOKEN={Token}");
        Write(root, "scripts/list.sh", """
            cat >/dev/null
            project="$(cd "$(dirname "$0")/.." && pwd)"
            [ -d "$project/out" ] && touch "$project/out/agent-ran" 2>/dev/null
            probe() { if [ -e "$1" ]; then if cat "$1" >/dev/null 2>&1; then echo read; else echo denied; fi; else echo gone; fi; }
            secrets="$(probe "$project/secrets/git.env") $(probe "$project/loopy.env") $(probe "$project/.loopy/state.db")"
            prompt="$(head -n 1 "$project/workflows/look/list.md")"
            commits="$(git -C checkout rev-list --count HEAD)"
            printf '{"output": {"checkout": "%s", "widgets": "%s", "commits": "%s", "helper": "%s", "prompt": "%s", "secrets": "%s"}}\n' \
              "$(ls checkout | tr '\n' ' ' | sed 's/ $//')" "$(ls widgets | tr '\n' ' ' | sed 's/ $//')" "$commits" "$GIT_CONFIG_KEY_0" "$prompt" "$secrets"
            """);
        Write(root, "workflows/look/list.md", """
            ---
            on: Go
            agent: Lister
            output: { checkout: str, widgets: str, commits: str, helper: str, prompt: str, secrets: str }
            ---
            List the repositories.
            """);
        TestProjects.Compile(root);
        return root;
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
    }
}
