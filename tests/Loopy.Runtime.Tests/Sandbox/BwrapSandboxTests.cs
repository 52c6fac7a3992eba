using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Sandbox;
using Loopy.Testing;

namespace Loopy.Runtime.Tests.Sandbox;

/// <summary>
/// The bwrap provider with real bubblewrap, socat and processes: each test runs probes inside a sandbox and asserts
/// what is denied. Skipped locally when bwrap or socat is missing or cannot make namespaces; a failure under CI=true.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BwrapSandboxTests : IAsyncDisposable
{
    private const string Path = "/usr/local/bin:/usr/bin:/bin";
    private readonly string _project = Directory.CreateTempSubdirectory("loopy-bwrap-project-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("loopy-bwrap-outside-").FullName;
    private readonly LoopbackHttpServer _allowed = new();
    private readonly LoopbackHttpServer _other = new();
    private readonly CapturedLogger<BwrapSandboxProvider> _log = new();
    private readonly BwrapSandboxProvider _provider;

    public BwrapSandboxTests()
    {
        _provider = new BwrapSandboxProvider(Microsoft.Extensions.Options.Options.Create(new BwrapOptions()), _log);
        File.WriteAllText(System.IO.Path.Combine(_project, "secret.txt"), "project-secret-marker");
        File.WriteAllText(System.IO.Path.Combine(_outside, "secret.txt"), "outside-secret-marker");
        // Readable by anyone on the host: only the sandbox's mounts keep the agent out.
        File.SetUnixFileMode(_outside, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_project, (UnixFileMode)0b111_101_101);
    }

    [Fact]
    public async Task Writes_outside_the_working_directory_home_and_tmp_fail()
    {
        await using var session = await AcquireAsync();
        var probe = $"tmp-{Guid.NewGuid():N}";

        var (_, stdout, _) = await RunAsync(session, $$"""
            for p in /usr/probe /etc/probe /probe {{_project}}/probe {{_outside}}/probe /run/loopy/probe; do
              if err=$(touch "$p" 2>&1); then echo "WROTE $p"; else echo "DENIED $p: $err"; fi
            done
            if err=$(rm -f /run/loopy/egress.sock 2>&1); then echo "REMOVED the proxy socket"; else echo "DENIED rm socket: $err"; fi
            echo own > "$PWD/inside.txt" && echo own > "$HOME/home.txt" && echo own > /tmp/{{probe}} && echo WROTE-OWN
            """);

        Assert.DoesNotContain("WROTE /", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("REMOVED", stdout, StringComparison.Ordinal);
        Assert.Contains("WROTE-OWN", stdout, StringComparison.Ordinal);
        Assert.Equal(6, stdout.Split('\n').Count(l => l.StartsWith("DENIED /", StringComparison.Ordinal)));
        Assert.True(File.Exists(System.IO.Path.Combine(session.WorkingDirectory, "inside.txt")));
        Assert.True(File.Exists(System.IO.Path.Combine(session.Home, "home.txt")));
        Assert.False(File.Exists(System.IO.Path.Combine("/tmp", probe)));
        Assert.False(File.Exists(System.IO.Path.Combine(_project, "probe")));
    }

    [Fact]
    public async Task The_host_home_and_other_folders_are_not_readable()
    {
        await using var session = await AcquireAsync();

        var (_, stdout, _) = await RunAsync(session, $"""
            for p in /root/.ssh /root/.ssh/id_rsa /home {_outside}/secret.txt /etc/shadow /var /opt /work; do
              if out=$(cat "$p" 2>&1 || ls -a "$p" 2>&1); then echo "READ $p: $out"; else echo "DENIED $p: $out"; fi
            done
            """);

        Assert.DoesNotContain("READ ", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-marker", stdout, StringComparison.Ordinal);
        Assert.Equal(8, stdout.Split('\n').Count(l => l.StartsWith("DENIED /", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_project_root_is_readable_but_its_env_files_git_config_and_loopy_folder_are_hidden()
    {
        var ct = TestContext.Current.CancellationToken;
        var files = new Dictionary<string, string>
        {
            ["workflows/triage/step.md"] = "prompt-marker",
            ["scripts/agent.sh"] = "script-marker",
            ["secrets/base.env"] = "API_KEY=secret-marker-base",
            ["secrets/odd-name.txt"] = "secret-marker-declared",
            ["loopy.env"] = "GITHUB_APP_ID=secret-marker-loopy",
            [".env"] = "X=secret-marker-dotenv",
            ["nested/.env.local"] = "Y=secret-marker-dotenv-local",
            ["nested/deeper/prod.env"] = "Z=secret-marker-prod",
            [".git/config"] = "[remote \"origin\"]\n\turl = https://x:secret-marker-git@example.com/r.git",
            [".loopy/state.db"] = "secret-marker-state",
            [".loopy/servers/postgres/pg_hba.conf"] = "secret-marker-servers",
            [".loopy/tools/bin/tool"] = "#!/bin/sh\necho tool-ran\n",
        };
        foreach (var (relative, text) in files)
        {
            var path = System.IO.Path.Combine(_project, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text, ct);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        foreach (var directory in Directory.EnumerateDirectories(_project, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }

        var tools = System.IO.Path.Combine(_project, ".loopy", "tools", "bin");
        await using var session = await AcquireAsync(readOnlyBinds: [tools], secretFiles: ["secrets/base.env", "secrets/odd-name.txt"]);

        var (_, stdout, _) = await RunAsync(session, $"""
            cd {_project} || exit 1
            for p in {string.Join(' ', files.Keys.Where(k => !k.EndsWith("/tool", StringComparison.Ordinal)))}; do
              echo "$p: [$(cat "$p" 2>&1)]"
            done
            echo "loopy folder: [$(ls -A .loopy)] tools: [$(ls -A .loopy/tools)]"
            echo "tool: $({tools}/tool 2>&1)"
            if err=$(touch probe 2>&1); then echo "WROTE probe"; else echo "DENIED probe: $err"; fi
            if err=$(rm -f .env 2>&1); then echo "REMOVED .env"; else echo "DENIED rm .env: $err"; fi
            if err=$(touch .loopy/probe 2>&1); then echo "WROTE .loopy/probe"; else echo "DENIED .loopy/probe: $err"; fi
            """);

        Assert.Contains("workflows/triage/step.md: [prompt-marker]", stdout, StringComparison.Ordinal);
        Assert.Contains("scripts/agent.sh: [script-marker]", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-marker", stdout, StringComparison.Ordinal);
        foreach (var secret in new[] { "secrets/base.env", "secrets/odd-name.txt", "loopy.env", ".env", "nested/.env.local", "nested/deeper/prod.env", ".git/config" })
        {
            Assert.Contains($"{secret}: [cat: {secret}: Permission denied]", stdout, StringComparison.Ordinal);
        }

        Assert.Contains(".loopy/state.db: [cat: .loopy/state.db: No such file or directory]", stdout, StringComparison.Ordinal);
        Assert.Contains("loopy folder: [tools] tools: [bin]", stdout, StringComparison.Ordinal);
        Assert.Contains("tool: tool-ran", stdout, StringComparison.Ordinal);
        Assert.Contains("DENIED probe: touch: cannot touch 'probe': Read-only file system", stdout, StringComparison.Ordinal);
        Assert.Contains("DENIED rm .env", stdout, StringComparison.Ordinal);
        Assert.Contains("DENIED .loopy/probe", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(System.IO.Path.Combine(_project, ".env")));
    }

    [Fact]
    public async Task Egress_reaches_an_allowlisted_loopback_server_through_the_proxy_only()
    {
        await using var session = await AcquireAsync(network: [$"127.0.0.1:{_allowed.Port}"]);
        var useCurl = File.Exists("/usr/bin/curl");
        const string httpCode = "%{http_code}";
        var allowed = $"http://127.0.0.1:{_allowed.Port}/";
        var other = $"http://127.0.0.1:{_other.Port}/";
        var script = useCurl
            ? $"""
                echo "PLAIN $(curl -sS -m 20 {allowed} 2>&1)"
                echo "TUNNEL $(curl -sS -m 20 --proxytunnel {allowed} 2>&1)"
                echo "OTHER $(curl -sS -m 20 -o /dev/null -w '{httpCode}' {other} 2>&1)"
                echo "DIRECT $(curl -sS -m 5 --noproxy '*' {allowed} 2>&1)"
                echo "OUTSIDE $(curl -sS -m 5 --noproxy '*' http://1.1.1.1/ 2>&1)"
                """
            : $"""
                echo "PLAIN $(printf 'GET {allowed} HTTP/1.1\r\nHost: x\r\n\r\n' | socat - TCP:127.0.0.1:3128 2>&1)"
                echo "TUNNEL $(printf 'CONNECT 127.0.0.1:{_allowed.Port} HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n' | socat - TCP:127.0.0.1:3128 2>&1)"
                echo "OTHER $(printf 'GET {other} HTTP/1.1\r\nHost: x\r\n\r\n' | socat - TCP:127.0.0.1:3128 2>&1 | head -n 1 | cut -d' ' -f2)"
                echo "DIRECT $(socat -u OPEN:/dev/null TCP:127.0.0.1:{_allowed.Port} 2>&1)"
                echo "OUTSIDE $(socat -u OPEN:/dev/null TCP:1.1.1.1:80 2>&1)"
                """;

        var (_, stdout, _) = await RunAsync(session, script);

        var lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("PLAIN", StringComparison.Ordinal) && l.EndsWith(_allowed.Body, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("TUNNEL", StringComparison.Ordinal) && l.EndsWith(_allowed.Body, StringComparison.Ordinal));
        Assert.Contains("OTHER 403", lines);
        Assert.Contains(lines, l => l.StartsWith("DIRECT", StringComparison.Ordinal) && !l.Contains(_allowed.Body, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("OUTSIDE", StringComparison.Ordinal) && !l.Contains("HTTP", StringComparison.Ordinal));
        Assert.Equal(2, _allowed.Requests);
        Assert.Equal(0, _other.Requests);
        Assert.Contains(_log.Entries, e => e.Message.Contains("denied", StringComparison.Ordinal) && (string?)e.State["StepId"] == "wf/probe");
    }

    [Fact]
    public async Task The_agent_is_not_root_has_no_capabilities_a_process_limit_and_its_own_pids()
    {
        await using var session = await AcquireAsync();

        var start = session.CreateStartInfo(["sh", "-c", "id -u; grep CapEff /proc/self/status; grep 'Max processes' /proc/self/limits; ls /proc | grep -c '^[0-9]'; echo \"$LD_BIND_NOW\""],
            new Dictionary<string, string>(Env(session)) { ["LD_BIND_NOW"] = "1" });
        var (exitCode, stdout, _) = await RunAsync(start);

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, exitCode);
        Assert.NotEqual("0", lines[0]);
        Assert.Equal("CapEff:\t0000000000000000", lines[1]);
        Assert.Contains(" 2048 ", lines[2], StringComparison.Ordinal);
        Assert.InRange(int.Parse(lines[3], CultureInfo.InvariantCulture), 1, 9); // its own pid namespace: a handful of processes
        Assert.Equal("1", lines[4]); // a loader variable reaches the agent (after the drop), not bwrap
        Assert.False(start.Environment.ContainsKey("LD_BIND_NOW"));
        Assert.Equal("http://127.0.0.1:3128", session.Environment["HTTPS_PROXY"]);
    }

    [Fact]
    public async Task A_process_left_in_the_background_is_gone_after_the_session_is_disposed()
    {
        var ct = TestContext.Current.CancellationToken;
        var session = await AcquireAsync();
        var marker = $"{Random.Shared.Next(100_000, 900_000)}.{Random.Shared.Next(10, 99)}";
        var disposed = false;
        try
        {
            var start = session.CreateStartInfo(["sh", "-c", $"sleep {marker} & sleep {marker}"], Env(session));
            using var process = Process.Start(start)!;
            await Loopy.Testing.Wait.UntilAsync(() => SleepPids(marker).Count == 2, TimeSpan.FromSeconds(30), ct);

            await session.DisposeAsync();
            disposed = true;

            await Loopy.Testing.Wait.UntilAsync(() => SleepPids(marker).Count == 0, TimeSpan.FromSeconds(30), ct);
            Assert.Empty(SleepPids(marker));
        }
        finally
        {
            if (!disposed)
            {
                await session.DisposeAsync();
            }
        }

        Assert.False(Directory.Exists(session.WorkingDirectory));
    }

    [Fact]
    public async Task A_background_process_dies_with_the_agent_process_that_left_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var session = await AcquireAsync();
        var marker = $"{Random.Shared.Next(100_000, 900_000)}.{Random.Shared.Next(10, 99)}";

        var start = session.CreateStartInfo(["sh", "-c", $"sleep {marker} </dev/null >/dev/null 2>&1 & until [ -e go ]; do sleep 0.05; done"], Env(session));
        using var process = Process.Start(start)!;
        await Loopy.Testing.Wait.UntilAsync(() => SleepPids(marker).Count == 1, TimeSpan.FromSeconds(30), ct);

        await File.WriteAllTextAsync(System.IO.Path.Combine(session.WorkingDirectory, "go"), "", ct);
        await process.WaitForExitAsync(ct);

        Assert.Equal(0, process.ExitCode);
        await Loopy.Testing.Wait.UntilAsync(() => SleepPids(marker).Count == 0, TimeSpan.FromSeconds(30), ct);
        Assert.Empty(SleepPids(marker));
    }

    [Fact]
    public async Task An_absolute_command_outside_the_system_folders_is_bound_read_only()
    {
        var tools = Directory.CreateTempSubdirectory("loopy-bwrap-tools-").FullName;
        try
        {
            File.SetUnixFileMode(tools, (UnixFileMode)0b111_101_101);
            var tool = System.IO.Path.Combine(tools, "hello");
            await File.WriteAllTextAsync(tool, "#!/bin/sh\necho tool-ran\nif touch \"$0.new\" 2>/dev/null; then echo tool-dir-writable; fi\n", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);
            await using var session = await AcquireAsync();

            var (exitCode, stdout, _) = await RunAsync(session, [tool]);

            Assert.Equal(0, exitCode);
            Assert.Equal("tool-ran\n", stdout);
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _allowed.DisposeAsync();
        await _other.DisposeAsync();
        Directory.Delete(_project, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private async Task<ISandboxSession> AcquireAsync(IReadOnlyList<string>? network = null, IReadOnlyList<string>? readOnlyBinds = null, IReadOnlyList<string>? secretFiles = null)
    {
        var sandbox = new ManifestSandbox { Provider = "bwrap", Network = network ?? ["api.example.com"] };
        var provider = _provider;
        if (readOnlyBinds is not null)
        {
            var options = new BwrapOptions();
            foreach (var bind in readOnlyBinds)
            {
                options.ReadOnlyBinds.Add(bind);
            }

            provider = new BwrapSandboxProvider(Microsoft.Extensions.Options.Options.Create(options), _log);
        }

        var problems = provider.Preflight("box", sandbox);
        if (problems.Count > 0)
        {
            var reason = string.Join("; ", problems);
            if (TestServers.IsCi)
            {
                throw new InvalidOperationException($"CI=true and the bwrap sandbox is unusable: {reason} (run eng/tools.sh install)");
            }

            Assert.Skip(reason);
        }

        var request = new SandboxRequest("run-1", "wf/probe", 1, _project, "box", sandbox, []) { SecretFiles = secretFiles ?? [] };
        return await provider.AcquireAsync(request, TestContext.Current.CancellationToken);
    }

    private static Dictionary<string, string> Env(ISandboxSession session) =>
        new(session.Environment) { ["PATH"] = Path, ["HOME"] = session.Home };

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ISandboxSession session, string script) =>
        RunAsync(session, ["sh", "-c", script]);

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ISandboxSession session, string[] argv) =>
        RunAsync(session.CreateStartInfo(argv, Env(session)));

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start)
    {
        var ct = TestContext.Current.CancellationToken;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(deadline.Token);
        var result = (process.ExitCode, await stdout, await stderr);
        TestContext.Current.TestOutputHelper?.WriteLine($"exit {result.ExitCode}\n--- stdout\n{result.Item2}--- stderr\n{result.Item3}");
        return result;
    }

    private static List<int> SleepPids(string marker)
    {
        var wanted = $"sleep\0{marker}\0";
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(System.IO.Path.Combine(dir, "stat"));
                if (File.ReadAllText(System.IO.Path.Combine(dir, "cmdline")) == wanted && stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z')
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }

        return pids;
    }
}
