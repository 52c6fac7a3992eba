using System.Text.Json;
using Loopy.Runtime.Harness;

namespace Loopy.Runtime.Tests.Harness;

/// <summary>Secrets from env files and <c>env:</c> forwards reach the agent and nothing else: history, outputs, errors and logs show <c>***</c>.</summary>
public sealed class SecretsTests : IAsyncDisposable
{
    private const string FileSecret = "tok-9f8e7d6c5b4a";
    private const string ForwardedSecret = "fwd-0a1b2c3d4e5f";
    private RuntimeFixture? _runtime;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_agent_that_prints_its_secrets_leaves_no_trace_of_them_in_history_outputs_errors_or_logs()
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-secrets-").FullName;
        var sandbox = $"Vault{Guid.NewGuid():N}"[..13];
        Environment.SetEnvironmentVariable(SandboxEnvironment.ForwardedName(sandbox, "FWD"), ForwardedSecret);
        await File.WriteAllTextAsync(Path.Combine(root, "registry.yml"), $$"""
            sandboxes:
              {{sandbox}}:
                provider: local
                env_file: secrets.env
                env: [FWD]
            agents:
              Leaky: { sandbox: {{sandbox}}, harness: exec, model: leak-v1, command: [sh, scripts/leak.sh] }
            events:
              Leak: { n: str }
            """, Ct);
        await File.WriteAllTextAsync(Path.Combine(root, "secrets.env"), $"API_TOKEN={FileSecret}\n", Ct);
        Directory.CreateDirectory(Path.Combine(root, "scripts"));
        await File.WriteAllTextAsync(Path.Combine(root, "scripts", "leak.sh"), """
            cat >/dev/null
            if [ "$LOOPY_ATTEMPT" = 1 ]; then echo "failing with $API_TOKEN and $FWD" >&2; exit 1; fi
            echo "{\"output\": {\"note\": \"the token is $API_TOKEN, the other $FWD\"}}"
            """, Ct);
        Directory.CreateDirectory(Path.Combine(root, "workflows", "leak"));
        await File.WriteAllTextAsync(Path.Combine(root, "workflows", "leak", "print.md"), "---\non: Leak\nagent: Leaky\noutput: { note: str }\n---\nPrint your secrets.\n", Ct);
        TestProjects.Compile(root);
        _runtime = await RuntimeFixture.StartAsync(root, null, null, null, Ct);

        await _runtime.PublishAsync("Leak", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("leak", Ct);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("the token is ***, the other ***", step.GetProperty("output").GetProperty("note").GetString());
        var history = await _runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        var retry = Assert.Single(history, h => h.GetProperty("kind").GetString() == "step_retrying");
        Assert.Contains("failing with *** and ***", retry.GetProperty("payload").GetProperty("error").GetString(), StringComparison.Ordinal);

        var everything = string.Join("\n", [run.ToString(), .. history.Select(h => h.ToString()), .. _runtime.Logs.Messages]);
        Assert.DoesNotContain(FileSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(ForwardedSecret, everything, StringComparison.Ordinal);
        Assert.Contains(_runtime.Logs.Messages, m => m.Contains("failing with *** and ***", StringComparison.Ordinal));
    }

    [Fact]
    public void The_redactor_masks_longer_secrets_first_and_ignores_short_values_PATH_and_HOME()
    {
        var redactor = SecretRedactor.For(new Dictionary<string, string>
        {
            ["A"] = "abcd",
            ["B"] = "abcdef",
            ["FLAG"] = "1",
            ["PATH"] = "/usr/bin",
            ["HOME"] = "/home/agent",
        });

        Assert.Equal("*** *** 1 /usr/bin /home/agent", redactor.Redact("abcdef abcd 1 /usr/bin /home/agent"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }
    }
}
