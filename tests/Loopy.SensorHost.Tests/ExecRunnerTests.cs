using Loopy.SensorHost.Configuration;
using Loopy.SensorHost.Exec;
using Microsoft.Extensions.Configuration;

namespace Loopy.SensorHost.Tests;

/// <summary>The exec protocol (AUTHORING.md §4.3) with real <c>sh</c> child processes.</summary>
public sealed class ExecRunnerTests : IDisposable
{
    private readonly TestProject _project = new("{}");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_stdin_and_prints_one_event_per_line_in_the_project_root()
    {
        _project.Write("sensors/echo.sh", """
            input=$(cat)
            echo '{"fields": {"n": 1}}'
            echo ''
            printf '{"fields": {"cwd": "%s", "input": %s}, "name": "Ping", "id": "custom-1"}\n' "$(pwd)" "$input"
            """);
        var events = await RunAsync(Spec(["sh", "sensors/echo.sh"]), """{"kind":"poll"}""");
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal("Ping", e.Name));
        Assert.Null(events[0].Id);
        Assert.Equal("custom-1", events[1].Id);
        Assert.Equal(Path.GetFullPath(_project.Root), (string?)events[1].Fields["cwd"]);
        Assert.Equal("poll", (string?)events[1].Fields["input"]!["kind"]);
    }

    [Fact]
    public async Task The_child_sees_only_PATH_HOME_LANG_and_its_declared_variables()
    {
        _project.Write("sensors/.env", "SENSOR_TOKEN=\"from-env-file\"\nOTHER_SECRET=hidden\n");
        _project.Write("sensors/env.sh", """
            cat >/dev/null
            names=$(env | cut -d= -f1 | sort | tr '\n' ' ')
            printf '{"fields": {"names": "%s", "token": "%s"}}\n' "$names" "$SENSOR_TOKEN"
            """);
        var events = await RunAsync(Spec(["sh", "sensors/env.sh"], env: ["SENSOR_TOKEN"]), "{}");
        var names = ((string?)Assert.Single(events).Fields["names"])!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("from-env-file", (string?)events[0].Fields["token"]);
        Assert.DoesNotContain("OTHER_SECRET", names);
        Assert.Contains("SENSOR_TOKEN", names);
        Assert.Empty(names.Except(["PATH", "HOME", "LANG", "SENSOR_TOKEN", "PWD", "SHLVL", "_", "OLDPWD"]));
    }

    [Fact]
    public async Task A_name_other_than_emits_discards_the_whole_invocation()
    {
        _project.Write("sensors/wrong.sh", """
            cat >/dev/null
            echo '{"fields": {"n": 1}, "name": "Ping"}'
            echo '{"fields": {"n": 2}, "name": "Incident"}'
            """);
        var error = await Assert.ThrowsAsync<SensorFailedException>(() => RunAsync(Spec(["sh", "sensors/wrong.sh"]), "{}"));
        Assert.Contains("other than 'Ping'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo '{\"fields\": {\"n\": 1}}'; exit 3", "exited with code 3")]
    [InlineData("echo 'not json'", "line 1")]
    [InlineData("echo '{\"n\": 1}'", "line 1")]
    [InlineData("echo '{\"fields\": {}, \"id\": 5}'", "id")]
    public async Task A_failing_program_or_a_bad_line_discards_the_whole_invocation(string script, string expected)
    {
        _project.Write("sensors/bad.sh", "cat >/dev/null\n" + script + "\n");
        var error = await Assert.ThrowsAsync<SensorFailedException>(() => RunAsync(Spec(["sh", "sensors/bad.sh"]), "{}"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_outlives_its_timeout_is_killed()
    {
        _project.Write("sensors/slow.sh", "cat >/dev/null\necho '{\"fields\": {}}'\nsleep 30\n");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SensorFailedException>(() => RunAsync(Spec(["sh", "sensors/slow.sh"], timeout: TimeSpan.FromMilliseconds(500)), "{}"));
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_program_that_cannot_start_fails_the_invocation()
    {
        await Assert.ThrowsAsync<SensorFailedException>(() => RunAsync(Spec(["sensors/does-not-exist"]), "{}"));
    }

    public void Dispose() => _project.Dispose();

    private static ExecSpec Spec(string[] argv, string[]? env = null, TimeSpan? timeout = null) =>
        new("probe", "Ping", argv, env ?? [], timeout ?? TimeSpan.FromSeconds(20));

    private Task<IReadOnlyList<Mapping.CandidateEvent>> RunAsync(ExecSpec spec, string input)
    {
        var configuration = new ConfigurationBuilder().Build();
        var runner = new ExecRunner(_project.Root, new SensorSecrets(configuration, _project.Root));
        return runner.RunAsync(spec, input, Ct);
    }
}
