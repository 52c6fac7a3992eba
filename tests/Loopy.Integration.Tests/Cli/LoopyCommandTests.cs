using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loopy.Integration.Tests.AppHost;
using Loopy.Testing;

namespace Loopy.Integration.Tests.Cli;

/// <summary>
/// The built <c>loopy</c> CLI as real processes: <c>trigger</c> runs a cascade in its own process and prints the
/// record; <c>run</c> serves a project standalone, <c>trigger --url</c> posts to it, <c>runs</c> and <c>runs show</c>
/// read the finished run back, and Ctrl-C stops it.
/// </summary>
public sealed partial class LoopyCommandTests
{
    private static readonly string Loopy = AppHostProcess.BuiltAssembly(Path.Combine("services", "Compiler", "Loopy.Cli"), "loopy.dll");

    [Fact]
    public async Task Trigger_json_prints_the_record_with_the_runs_steps_and_outputs()
    {
        var project = AppHostSmokeTests.CopyExample("hello");
        try
        {
            var (code, stdout, stderr) = await RunLoopyAsync("trigger", project, "--event", "Greet", "--fields", "{\"name\":\"x\"}", "--json");
            Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
            var record = JsonDocument.Parse(stdout).RootElement;
            var runId = record.GetProperty("run").GetString()!;
            Assert.StartsWith("greet-", runId, StringComparison.Ordinal);
            Assert.Equal(["compose", "shout"], record.GetProperty("steps").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal("Hello, x!", record.GetProperty("outputs").GetProperty("compose").GetProperty("greeting").GetString());
            Assert.Equal(9, record.GetProperty("outputs").GetProperty("compose").GetProperty("length").GetInt32());
            Assert.Equal("HELLO, X!", record.GetProperty("outputs").GetProperty("shout").GetProperty("shouted").GetString());
            Assert.Empty(record.GetProperty("emitted").EnumerateArray());
            Assert.Empty(record.GetProperty("failed").EnumerateArray());

            var run = Assert.Single(record.GetProperty("runs").EnumerateArray());
            Assert.Equal(runId, run.GetProperty("run_id").GetString());
            Assert.Equal("completed", run.GetProperty("status").GetString());
            Assert.All(run.GetProperty("steps").EnumerateArray(), step =>
            {
                Assert.Equal("completed", step.GetProperty("status").GetString());
                Assert.Equal(1, step.GetProperty("attempts").GetInt32());
            });

            // Nothing was written into the project: the manifest and the state lived in a temporary folder.
            Assert.Equal(["registry.yml"], Directory.GetFiles(project).Select(Path.GetFileName).Where(f => f != ".gitignore"));
            Assert.False(Directory.Exists(Path.Combine(project, ".loopy")));
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public async Task Run_serves_the_project_trigger_url_posts_to_it_and_runs_shows_the_finished_run()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = AppHostSmokeTests.CopyExample("hello");
        // A port free right now (the machine is shared: a fixed port may be taken by another test run).
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var url = $"http://127.0.0.1:{port}";
        using var server = AppHostProcess.StartAssembly(Loopy, ["run", project, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], env => env["NO_COLOR"] = "1");
        try
        {
            await server.WaitUntilReadyAsync(ct);
            var token = server.Lines.Select(l => DeveloperToken().Match(l)).First(m => m.Success).Groups["token"].Value;

            var posted = await RunLoopyAsync("trigger", "--url", url, "--token", token, "--event", "Greet", "--fields", "{\"name\":\"cli\"}");
            Assert.True(posted.ExitCode == 0, $"exit {posted.ExitCode}\n{posted.Stderr}");
            var eventId = AcceptedId().Match(posted.Stdout).Groups["id"].Value;
            Assert.False(string.IsNullOrEmpty(eventId), posted.Stdout);

            // A refused event: the Receiver's 400 is a usage error with the field's reason.
            var refused = await RunLoopyAsync("trigger", "--url", url, "--token", token, "--event", "Greet", "--fields", "{\"name\":1}");
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("fields.name", refused.Stderr, StringComparison.Ordinal);

            // loopy runs --json until the run of that event finished (the Runtime works in the background).
            JsonElement run = default;
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(90);
            while (TimeProvider.System.GetUtcNow() < deadline)
            {
                var list = await RunLoopyAsync("runs", "--url", url, "--json");
                Assert.True(list.ExitCode == 0, list.Stderr);
                run = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().FirstOrDefault(r => r.GetProperty("event_id").GetString() == eventId);
                if (run.ValueKind == JsonValueKind.Object && run.GetProperty("status").GetString() != "running")
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }

            Assert.True(run.ValueKind == JsonValueKind.Object, "no run of the posted event:\n" + string.Join('\n', server.Lines));
            Assert.Equal("completed", run.GetProperty("status").GetString());
            var runId = run.GetProperty("id").GetString()!;

            var table = await RunLoopyAsync("runs", "--url", url);
            Assert.Equal(0, table.ExitCode);
            Assert.Matches($@"(?m)^{Regex.Escape(runId)}\s+greet\s+completed\s+Greet\b", table.Stdout);

            var shown = await RunLoopyAsync("runs", "show", runId, "--url", url);
            Assert.True(shown.ExitCode == 0, shown.Stderr);
            Assert.Contains($"run: {runId}  (greet, completed)", shown.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^  shout\s+completed\s+attempts 1\s+output \{.*""shouted"":""HELLO, CLI!""", shown.Stdout);
            string[] kinds = ["run_started", "step_scheduled", "step_started", "step_completed", "run_completed"];
            Assert.All(kinds, kind => Assert.Contains(kind, shown.Stdout, StringComparison.Ordinal));
            Assert.True(shown.Stdout.IndexOf("run_started", StringComparison.Ordinal) < shown.Stdout.IndexOf("run_completed", StringComparison.Ordinal));

            var missing = await RunLoopyAsync("runs", "show", "greet-nosuchrun", "--url", url);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains("404", missing.Stderr, StringComparison.Ordinal);

            await server.InterruptAndWaitAsync(ct);
            Assert.Equal(0, server.ExitCode);
            Assert.True(File.Exists(Path.Combine(project, "manifest.json")), "loopy run compiles the project as loopy compile does");
            Assert.True(File.Exists(Path.Combine(project, ".loopy", "state.db")), "loopy run keeps its state under the project's .loopy/");
        }
        finally
        {
            server.Dispose();
            Directory.Delete(project, recursive: true);
        }
    }

    [Fact]
    public async Task Runs_reports_an_unreachable_url_with_exit_1()
    {
        var (code, _, stderr) = await RunLoopyAsync("runs", "--url", "http://127.0.0.1:1");
        Assert.Equal(1, code);
        Assert.Contains("cannot reach http://127.0.0.1:1/", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs <c>dotnet loopy.dll ARGS</c> to completion (at most two minutes).</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunLoopyAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Loopy);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex(@"Bearer (?<token>dev-[0-9a-f]+)")]
    private static partial Regex DeveloperToken();

    [GeneratedRegex(@"^accepted: (?<id>\S+)", RegexOptions.Multiline)]
    private static partial Regex AcceptedId();
}
