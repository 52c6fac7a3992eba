using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Sandbox;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Tests.Harness;

/// <summary>The <c>local</c> provider and the agent-process runner, with real processes.</summary>
public sealed class LocalSandboxProviderTests
{
    private static readonly ManifestSandbox Sandbox = new() { Provider = "local" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LocalSandboxProvider Provider(RuntimeOptions? options = null) => new(Options.Create(options ?? new RuntimeOptions()));

    private static SandboxRequest Request(int attempt) => new("run-1", "wf/step", attempt, Path.GetTempPath(), "default", Sandbox, []);

    private static Dictionary<string, string> Env(ISandboxSession session) => new() { ["PATH"] = SandboxEnvironment.DefaultPath, ["HOME"] = session.Home };

    [Fact]
    public async Task Each_attempt_gets_a_fresh_working_directory_and_HOME_the_agent_user_owns_and_both_are_removed_afterwards()
    {
        var provider = Provider();
        var first = await provider.AcquireAsync(Request(1), Ct);
        var second = await provider.AcquireAsync(Request(2), Ct);
        string output;
        try
        {
            Assert.NotEqual(first.WorkingDirectory, second.WorkingDirectory);
            Assert.NotEqual(first.Home, second.Home);
            var start = first.CreateStartInfo(["sh", "-c", "id -u; pwd; touch \"$HOME/in-home\" written && echo wrote"], Env(first));
            var result = await AgentProcess.RunAsync(start, null, TimeSpan.FromSeconds(30), 10_000, 10_000, null, Ct);
            Assert.True(result.ExitCode == 0, result.Stderr);
            output = result.Stdout;
            Assert.True(File.Exists(Path.Combine(first.WorkingDirectory, "written")));
            Assert.True(File.Exists(Path.Combine(first.Home, "in-home")));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }

        var expectedUid = Environment.UserName == "root" ? "65534" : output.Split('\n')[0];
        Assert.Equal($"{expectedUid}\n{first.WorkingDirectory}\nwrote\n", output);
        Assert.False(Directory.Exists(first.WorkingDirectory));
        Assert.False(Directory.Exists(second.Home));
    }

    [Fact]
    public async Task As_root_the_agent_cannot_write_outside_its_folders()
    {
        Assert.SkipWhen(Environment.UserName != "root", "only a runtime running as root drops to the agent user");
        await using var session = await Provider().AcquireAsync(Request(1), Ct);
        var start = session.CreateStartInfo(["sh", "-c", "touch /root/loopy-agent-probe"], Env(session));

        var result = await AgentProcess.RunAsync(start, null, TimeSpan.FromSeconds(30), 10_000, 10_000, null, Ct);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Permission denied", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists("/root/loopy-agent-probe"));
    }

    [Fact]
    public async Task Cancelling_kills_the_whole_process_tree()
    {
        await using var session = await Provider().AcquireAsync(Request(1), Ct);
        var start = session.CreateStartInfo(["sh", "-c", "sleep 300 & echo $!; wait"], Env(session));
        var child = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var run = AgentProcess.RunAsync(start, null, TimeSpan.FromMinutes(5), 10_000, 10_000, line => child.TrySetResult(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture)), cancel.Token);
        var pid = await child.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(Alive(pid));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await Wait.UntilAsync(() => Task.FromResult(!Alive(pid)), TimeSpan.FromSeconds(10), "the grandchild sleep to die", Ct);
    }

    [Fact]
    public async Task The_wall_clock_kills_the_tree_and_fails_terminally()
    {
        await using var session = await Provider().AcquireAsync(Request(1), Ct);
        var start = session.CreateStartInfo(["sh", "-c", "sleep 300"], Env(session));

        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => AgentProcess.RunAsync(start, null, TimeSpan.FromMilliseconds(300), 10_000, 10_000, null, Ct));

        Assert.True(error.Terminal);
        Assert.StartsWith("wall-clock budget exceeded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Captured_output_is_bounded_and_every_line_still_reaches_the_callback()
    {
        await using var session = await Provider().AcquireAsync(Request(1), Ct);
        var start = session.CreateStartInfo(["sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line-$i; echo err-$i >&2; i=$((i+1)); done"], Env(session));
        var lines = 0;

        var result = await AgentProcess.RunAsync(start, "ignored prompt", TimeSpan.FromSeconds(30), 100, 50, _ => lines++, Ct);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(100, result.Stdout.Length);
        Assert.StartsWith("line-0\nline-1\n", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(50, result.Stderr.Length);
        Assert.EndsWith("err-1999\n", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(2000, lines);
    }

    [Fact]
    public void A_network_allowlist_fails_preflight_unless_unenforced_egress_is_allowed()
    {
        var sandbox = Sandbox with { Network = ["api.github.com"] };

        var problem = Assert.Single(Provider().Preflight("web", sandbox));
        Assert.Contains("provider 'local' cannot enforce the network allowlist (api.github.com)", problem, StringComparison.Ordinal);
        Assert.Empty(Provider(new RuntimeOptions { AllowUnenforcedEgress = true }).Preflight("web", sandbox));
        Assert.Empty(Provider().Preflight("web", Sandbox));
    }

    /// <summary>Alive: the process exists and is not a zombie waiting to be reaped.</summary>
    private static bool Alive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
