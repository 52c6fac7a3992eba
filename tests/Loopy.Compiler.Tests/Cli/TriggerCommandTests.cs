using System.Text.Json;
using Loopy.Compiler.Tests.Fixtures;
using Loopy.Runtime.Cron;
using Loopy.Standalone;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Loopy.Compiler.Tests.Cli;

/// <summary>
/// <c>loopy trigger</c> in process: each call composes the Receiver's gate and the Runtime on a temporary SQLite file
/// and runs the example's real exec agents (small sh scripts) to completion.
/// </summary>
public sealed class TriggerCommandTests
{
    private const string IncidentFields = """{"source": "manual", "service": "checkout", "title": "500s", "link": "https://status.example/1"}""";

    private static string Example(string name) => Path.Combine(RepositoryPaths.Examples, name);

    [Fact]
    public async Task Hello_prints_the_run_its_steps_in_order_and_their_outputs()
    {
        using var temp = Copy("hello");
        var run = await CliRun.RunAsync("trigger", temp.Path, "--event", "Greet", "--fields", """{"name": "Ada"}""");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Matches(@"(?m)^run: greet-[0-9a-f]{32}  \(greet, completed; on Greet \S+\)$", run.Stdout);
        Assert.Contains("steps: compose -> shout\n", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  compose\s+completed\s+attempts 1$", run.Stdout);
        Assert.Contains("emitted: (none)\n", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("""output[compose]: {"greeting":"Hello, Ada!","length":11}""", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("""output[shout]: {"excited":true,"shouted":"HELLO, ADA!"}""", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_emitted_event_is_followed_into_the_run_it_starts()
    {
        using var temp = Copy("incident-triage");
        var run = await CliRun.RunAsync("trigger", temp.Path, "--event", "Incident", "--fields", IncidentFields, "--id", "inc-1", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var record = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("inc-1", record.GetProperty("event").GetProperty("id").GetString());
        Assert.Equal(["Escalation"], record.GetProperty("emitted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("critical", record.GetProperty("outputs").GetProperty("assess").GetProperty("severity").GetString());

        var runs = record.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["triage", "escalate"], runs.Select(r => r.GetProperty("workflow").GetString()));
        Assert.All(runs, r => Assert.Equal("completed", r.GetProperty("status").GetString()));
        var triage = runs[0];
        Assert.Equal("intake", triage.GetProperty("steps")[0].GetProperty("name").GetString());
        Assert.Equal("assess", triage.GetProperty("steps")[3].GetProperty("name").GetString());
        var emitted = Assert.Single(triage.GetProperty("emitted").EnumerateArray());
        var escalate = runs[1];
        Assert.Equal(emitted.GetProperty("event_id").GetString(), escalate.GetProperty("event_id").GetString());
        Assert.Equal(1, escalate.GetProperty("chain_depth").GetInt32());
        Assert.Equal("OPS-1", escalate.GetProperty("outputs").GetProperty("page").GetProperty("ticket").GetString());
    }

    [Fact]
    public async Task A_compiled_manifest_runs_like_its_project_folder()
    {
        using var temp = Copy("hello");
        Assert.Equal(0, (await CliRun.RunAsync("compile", temp.Path)).ExitCode);
        var run = await CliRun.RunAsync("trigger", Path.Combine(temp.Path, "manifest.json"), "--event", "Greet", "--fields", """{"name": "m"}""", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("HELLO, M!", JsonDocument.Parse(run.Stdout).RootElement.GetProperty("outputs").GetProperty("shout").GetProperty("shouted").GetString());
    }

    [Fact]
    public async Task A_failed_run_exits_1_and_is_reported_on_stderr_and_in_the_record()
    {
        using var temp = Copy("hello");
        var registry = Path.Combine(temp.Path, "registry.yml");
        File.WriteAllText(registry, File.ReadAllText(registry).Replace("command: [sh, scripts/greet.sh]", "command: [no-such-agent-cli]", StringComparison.Ordinal));
        var run = await CliRun.RunAsync("trigger", temp.Path, "--event", "Greet", "--fields", """{"name": "x"}""", "--json");
        Assert.Equal(1, run.ExitCode);
        var record = JsonDocument.Parse(run.Stdout).RootElement;
        var failed = Assert.Single(record.GetProperty("failed").EnumerateArray());
        Assert.Equal(record.GetProperty("run").GetString(), failed.GetProperty("run_id").GetString());
        Assert.Contains("no-such-agent-cli", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        // The Runtime's preflight finds the agent's command missing before any step starts: the run fails at start.
        Assert.Contains("preflight failed", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        var steps = record.GetProperty("runs")[0].GetProperty("steps");
        Assert.All(steps.EnumerateArray(), step => Assert.NotEqual("completed", step.GetProperty("status").GetString()));
        Assert.Contains($"FAILED {failed.GetProperty("run_id").GetString()}: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_no_workflow_starts_on_exits_1()
    {
        using var temp = Copy("incident-triage");
        // escalate/page only starts on severity "critical".
        var run = await CliRun.RunAsync("trigger", temp.Path, "--event", "Escalation", "--fields", """{"service": "a", "root_cause": "b", "severity": "low"}""");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no workflow starts on 'Escalation'", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Nope", """{"name": "x"}""", "'Nope' is not an event of the active manifest")]
    [InlineData("Greet", """{"name": 3}""", "fields.name")]
    [InlineData("Greet", """{}""", "do not match the contract of 'Greet'")]
    [InlineData("Greet", """{"name": """, "--fields is not valid JSON")]
    [InlineData("Greet", """["x"]""", "--fields must be a JSON object")]
    public async Task Bad_input_exits_2_with_the_reason(string eventName, string fields, string reason)
    {
        using var temp = Copy("hello");
        var run = await CliRun.RunAsync("trigger", temp.Path, "--event", eventName, "--fields", fields);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(reason, run.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_project_that_does_not_compile_exits_1_with_its_diagnostics()
    {
        using var temp = Copy("hello");
        File.WriteAllText(Path.Combine(temp.Path, "workflows", "greet", "compose.md"), "---\non: Greet\nagent: Nobody\n---\nHi.\n");
        var run = await CliRun.RunAsync("trigger", temp.Path, "--event", "Greet", "--fields", """{"name": "x"}""");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("LOOPY-E501", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("does not compile", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trigger", "--event", "Greet", "--url", "not a url", "--token", "t")]
    [InlineData("trigger", "--event", "Greet", "--url", "http://127.0.0.1:1")]
    [InlineData("trigger", "/nonexistent/loopy/project", "--event", "Greet")]
    [InlineData("runs", "--url", "ftp://example.com")]
    [InlineData("runs", "--limit", "0")]
    [InlineData("run", "/nonexistent/loopy/project")]
    [InlineData("trigger", "--fields", "{}")]
    [InlineData("trigger", "--event", "Greet", "--cron", "nightly")]
    [InlineData("trigger", "--cron", "nightly", "--url", "http://127.0.0.1:1", "--token", "t")]
    [InlineData("trigger", "--event", "Greet", "--root", "/nonexistent/loopy/root")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        var run = await CliRun.RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        Assert.NotEmpty(run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_url_reports_an_unreachable_receiver_with_exit_1()
    {
        var run = await CliRun.RunAsync("trigger", "--event", "Greet", "--fields", """{"name": "x"}""", "--url", "http://127.0.0.1:1", "--token", "t");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cannot reach http://127.0.0.1:1/events", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cron_fires_one_tick_by_hand_with_scheduled_at_now_and_last_run_the_previous_occurrence()
    {
        using var temp = CronProject();
        var run = await CliRun.RunAsync("trigger", temp.Path, "--cron", "nightly", "--json");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var record = JsonDocument.Parse(run.Stdout).RootElement;
        var tick = record.GetProperty("event");
        Assert.Equal("cron", tick.GetProperty("name").GetString());
        var scheduledAt = tick.GetProperty("fields").GetProperty("scheduled_at").GetString()!;
        var lastRun = tick.GetProperty("fields").GetProperty("last_run").GetString()!;
        Assert.Equal($"tick-nightly/tick-{scheduledAt}", tick.GetProperty("id").GetString());
        Assert.EndsWith("T03:00:00Z", lastRun, StringComparison.Ordinal); // the schedule's previous occurrence
        Assert.True(string.CompareOrdinal(lastRun, scheduledAt) < 0, $"{lastRun} before {scheduledAt}");

        var only = Assert.Single(record.GetProperty("runs").EnumerateArray());
        Assert.Equal("completed", only.GetProperty("status").GetString());
        var output = record.GetProperty("outputs").GetProperty("tick");
        Assert.Equal(scheduledAt, output.GetProperty("at").GetString()); // the prompt saw the tick's fields
        Assert.Equal(lastRun, output.GetProperty("last").GetString());
    }

    [Theory]
    [InlineData("hourly", "'hourly' is not a workflow of the manifest (cron workflows: nightly)")]
    [InlineData("manual", "workflow 'manual' is not cron-triggered (cron workflows: nightly)")]
    public async Task Cron_on_a_workflow_without_a_cron_trigger_exits_2(string workflow, string reason)
    {
        using var temp = CronProject();
        var run = await CliRun.RunAsync("trigger", temp.Path, "--cron", workflow);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(reason, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_compiled_elsewhere_runs_against_the_project_given_by_root()
    {
        using var temp = Copy("hello");
        using var output = new TempDirectory();
        var manifest = Path.Combine(output.Path, "manifest.json");
        Assert.Equal(0, (await CliRun.RunAsync("compile", temp.Path, "--out", manifest)).ExitCode);

        // Beside the manifest there is no scripts/greet.sh: without --root the agent's command is missing.
        var without = await CliRun.RunAsync("trigger", manifest, "--event", "Greet", "--fields", """{"name": "r"}""");
        Assert.Equal(1, without.ExitCode);

        var with = await CliRun.RunAsync("trigger", manifest, "--root", temp.Path, "--event", "Greet", "--fields", """{"name": "r"}""", "--json");
        Assert.True(with.ExitCode == 0, with.Stderr);
        Assert.Equal("HELLO, R!", JsonDocument.Parse(with.Stdout).RootElement.GetProperty("outputs").GetProperty("shout").GetProperty("shouted").GetString());
    }

    [Fact]
    public async Task The_trigger_host_fires_no_cron_schedule_of_its_own()
    {
        using var temp = CronProject();
        Assert.Equal(0, (await CliRun.RunAsync("compile", temp.Path)).ExitCode);
        using var data = new TempDirectory();
        var settings = StandaloneSettings.Create(temp.Path, Path.Combine(temp.Path, "manifest.json"), StandaloneSettings.DefaultUrl) with { DataDirectory = data.Path };
        using var host = StandaloneApplication.BuildWithoutServer(settings);
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var scheduler = host.Services.GetServices<IHostedService>().OfType<CronScheduler>().Single();
            // Enabled, the loop runs until the host stops; disabled, it ends as soon as it starts.
            await scheduler.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Null(scheduler.LastPassAt);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task No_tokens_runs_a_github_clone_without_the_GitHub_App_whose_configuration_would_fail_preflight()
    {
        using var temp = new TempDirectory();
        var git = Path.Combine(temp.Path, "git");
        Directory.CreateDirectory(git);
        Git(git, "init", "--quiet", "--bare", "--initial-branch=main", "widgets.git");
        Git(git, "init", "--quiet", "--initial-branch=main", "work");
        File.WriteAllText(Path.Combine(git, "work", "one.txt"), "one\n");
        Git(Path.Combine(git, "work"), "add", ".");
        Git(Path.Combine(git, "work"), "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "one");
        Git(Path.Combine(git, "work"), "push", "--quiet", Path.Combine(git, "widgets.git"), "main");
        // github.com/acme/* is this folder, so the clone is real and offline.
        File.WriteAllText(Path.Combine(git, "config"), $"[safe]\n\tdirectory = *\n[url \"{new Uri(git + "/").AbsoluteUri}\"]\n\tinsteadOf = https://github.com/acme/\n");
        var project = Path.Combine(temp.Path, "project");
        void Write(string relative, string text)
        {
            var path = Path.Combine(project, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        Write("registry.yml", """
            sandboxes:
              default: { provider: local, env_file: secrets/git.env, repos: [acme/widgets] }
            agents:
              Lister: { sandbox: default, harness: exec, model: ls-v1, command: [sh, -c, "cat >/dev/null; printf '{\"output\": {\"files\": \"%s\"}}' \"$(ls widgets)\""] }
            events:
              Go: { n: str }
            """);
        Write("secrets/git.env", $"GIT_CONFIG_GLOBAL={Path.Combine(git, "config")}\n");
        Write("loopy.env", "GITHUB_APP_PRIVATE_KEY_FILE=secrets/app.pem\n"); // an app without its id
        Write("workflows/look/list.md", "---\non: Go\nagent: Lister\noutput:\n  files: str\n---\nList.\n");
        Run("chmod", "-R", "a+rX", temp.Path);

        var withApp = await CliRun.RunAsync("trigger", project, "--event", "Go", "--fields", """{"n": "1"}""");
        Assert.Equal(1, withApp.ExitCode);
        Assert.Contains("GitHub App: a private key is set (GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE) but GITHUB_APP_ID is not", withApp.Stderr, StringComparison.Ordinal);

        var without = await CliRun.RunAsync("trigger", project, "--event", "Go", "--fields", """{"n": "1"}""", "--no-tokens", "--json");
        Assert.True(without.ExitCode == 0, without.Stderr);
        Assert.Equal("one.txt", JsonDocument.Parse(without.Stdout).RootElement.GetProperty("outputs").GetProperty("list").GetProperty("files").GetString());
    }

    private static void Git(string directory, params string[] args) => Run("git", ["-C", directory, .. args]);

    private static void Run(string program, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {error}");
    }

    /// <summary>A project with a cron workflow <c>nightly</c> (03:00 UTC) whose exec agent echoes the tick's fields, and an event workflow <c>manual</c>.</summary>
    private static TempDirectory CronProject()
    {
        var temp = new TempDirectory();
        void Write(string relative, string text)
        {
            var path = Path.Combine(temp.Path, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        Write("registry.yml", """
            sandboxes:
              default: { provider: local }
            agents:
              Ticker: { sandbox: default, harness: exec, model: ticker-v1, command: [sh, scripts/tick.sh] }
            events:
              Poke: { n: str }
            """);
        Write("scripts/tick.sh", """
            read -r prompt
            set -- $prompt
            printf '{"output": {"at": "%s", "last": "%s"}}\n' "$3" "$5"
            """);
        Write("workflows/nightly/tick.md", "---\non: cron(\"0 3 * * *\")\nagent: Ticker\noutput:\n  at: str\n  last: str\n---\nTick at {{ event.scheduled_at }} after {{ event.last_run }}\n");
        Write("workflows/manual/poke.md", "---\non: Poke\nagent: Ticker\noutput:\n  at: str\n  last: str\n---\nTick at now after {{ event.n }}\n");
        return temp;
    }

    private static TempDirectory Copy(string example)
    {
        var temp = new TempDirectory();
        TempDirectory.CopyTree(Example(example), temp.Path);
        return temp;
    }
}
