namespace Loopy.Runtime.Tests.Engine;

/// <summary>The run-level ledgers (<c>limits.cascade_spend</c>, <c>limits.workflows.&lt;wf&gt;.spend</c>) with exec agents that report their cost.</summary>
public sealed class SpendLedgerTests : IAsyncDisposable
{
    private RuntimeFixture? _runtime;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_step_starts_once_the_workflow_ledger_reached_its_cap_and_a_cascade_cap_bounds_a_later_run()
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-ledgers-").FullName;
        Write(root, "registry.yml", """
            sandboxes:
              default: { provider: local }
            agents:
              Spender: { sandbox: default, harness: exec, model: s-v1, command: [sh, scripts/spend.sh] }
            events:
              Go: { n: str }
              Next: { n: str }
            limits:
              cascade_spend: { usd: 2 }
              workflows:
                first: { spend: { usd: 1 } }
            """);
        Write(root, "scripts/spend.sh", """
            cat >/dev/null
            echo "$LOOPY_STEP_ID" >> "$(dirname "$0")/../out/ran"
            case "$LOOPY_STEP_ID" in
              first/a) echo '{"output": {"ok": true}, "emits": {"Next": {"n": "1"}}, "usage": {"cost_usd": 1.0}}' ;;
              *) echo '{"output": {"ok": true}, "usage": {"cost_usd": 1.5}}' ;;
            esac
            """);
        Write(root, "workflows/first/a.md", "---\non: Go\nagent: Spender\noutput: { ok: bool }\nemits: { Next: { when: always } }\n---\nA");
        Write(root, "workflows/first/b.md", "---\nafter: a\nagent: Spender\noutput: { ok: bool }\n---\nB");
        Write(root, "workflows/second/c.md", "---\non: Next\nagent: Spender\noutput: { ok: bool }\n---\nC");
        TestProjects.Compile(root);
        _runtime = await RuntimeFixture.StartAsync(root, null, null, null, Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        // first/a spent the workflow's $1 exactly: first/b never starts.
        var first = await _runtime.WaitForTerminalRunAsync("first", Ct);
        Assert.Equal("failed", first.GetProperty("status").GetString());
        var b = first.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "b");
        Assert.Equal("budget exceeded: spent $1 of the $1 limits.workflows.first.spend cap (before the step started)", b.GetProperty("error").GetString());

        // second/c runs in the same cascade with $1 of the cascade's $2 left and reports $1.50.
        var second = await _runtime.WaitForTerminalRunAsync("second", Ct);
        Assert.Equal("failed", second.GetProperty("status").GetString());
        var c = Assert.Single(second.GetProperty("steps").EnumerateArray());
        Assert.Equal("budget exceeded: spent $2.5 of the $2 limits.cascade_spend cap (reported by the agent at its end)", c.GetProperty("error").GetString());
        Assert.Equal(["first/a", "second/c"], (await File.ReadAllLinesAsync(Path.Combine(root, "out", "ran"), Ct)).Order(StringComparer.Ordinal));
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
