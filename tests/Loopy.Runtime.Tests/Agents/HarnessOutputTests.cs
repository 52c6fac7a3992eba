using System.Text.Json;
using Loopy.Runtime.Harness;
using Loopy.Testing;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// The harnesses' argv and output parsing. Lines recorded from the real CLIs against loopback mocks: Claude Code 2.1.330
/// and opencode 1.18.33 (Messages API), Codex 0.169.0 (Responses API); one more codex sample is written to its
/// published JSON-lines format (several turns with cached tokens), which its test name says.
/// </summary>
public sealed class HarnessOutputTests
{
    private static readonly PriceTable Prices = new(Options.Create(new RuntimeOptions()));

    private static string[] Recorded(string name) =>
        File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "tests", "Loopy.Runtime.Tests", "Agents", "Recorded", name));

    private static HarnessRequest Request(string harness, string model, SpendCap? spend = null) => new(
        "run-1", "wf/step", 1, "evt-1", "Agent",
        new Loopy.Contracts.Manifest.ManifestAgent { Sandbox = "default", Model = model, Harness = harness },
        "default", new Loopy.Contracts.Manifest.ManifestSandbox { Provider = "local" },
        "Do it.\nCarefully.", "{}", "/project", TimeSpan.FromMinutes(1), spend);

    [Fact]
    public void Claude_recorded_text_run_gives_the_message_the_CLI_total_cost_and_tokens()
    {
        var output = new ClaudeOutput(Prices, "claude-sonnet-4-6");
        foreach (var line in Recorded("claude-2.1.330-text.jsonl"))
        {
            output.Accept(line);
        }

        Assert.True(output.HasResult);
        Assert.False(output.IsError);
        Assert.Equal("Hello from the mock", output.Result);
        Assert.Equal(0.0105, output.TotalCostUsd!.Value, 9);
        Assert.Equal(1000, output.InputTokens);
        Assert.Equal(500, output.OutputTokens);
    }

    [Fact]
    public void Claude_recorded_tool_loop_prices_the_streamed_usage_as_the_CLI_does_and_crosses_a_cap_at_a_message_delta()
    {
        var output = new ClaudeOutput(Prices, "claude-sonnet-4-6");
        string? crossing = null;
        var costAtCrossing = 0.0;
        foreach (var line in Recorded("claude-2.1.330-tool-loop-budget.jsonl"))
        {
            output.Accept(line);
            if (crossing is null && output.RunningCostUsd >= 1)
            {
                crossing = line;
                costAtCrossing = output.RunningCostUsd;
            }
        }

        // Turn 2's message_delta (output tokens) takes the running cost from $0.90 to $1.20.
        Assert.Equal(1.2, costAtCrossing, 9);
        using (var document = JsonDocument.Parse(crossing!))
        {
            Assert.Equal("message_delta", document.RootElement.GetProperty("event").GetProperty("type").GetString());
        }

        // The CLI stopped itself at --max-budget-usd 2: its total equals the runtime's own pricing of the stream.
        Assert.Equal("error_max_budget_usd", output.Subtype);
        Assert.True(output.IsError);
        Assert.Equal(2.4, output.TotalCostUsd!.Value, 9);
        Assert.Equal(2.4, output.RunningCostUsd, 9);
    }

    [Fact]
    public void Claude_argv_adds_the_remaining_budget_as_an_invariant_decimal()
    {
        Assert.Equal(
            ["claude", "-p", "Do it.\nCarefully.", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
             "--model", "claude-opus-4-6", "--permission-mode", "bypassPermissions", "--max-budget-usd", "1.75"],
            ClaudeCodeHarness.Argv(Request("claude-code", "claude-opus-4-6", new SpendCap(2.5, 0.75))));
        Assert.DoesNotContain("--max-budget-usd", ClaudeCodeHarness.Argv(Request("claude-code", "claude-opus-4-6")));
    }

    [Fact]
    public void Codex_argv_is_the_spec_argv_with_plugin_sync_and_analytics_off_and_the_base_url_as_a_TOML_string()
    {
        Assert.Equal(
            ["codex", "exec", "Do it.\nCarefully.", "--json", "--model", "gpt-5-codex", "--dangerously-bypass-approvals-and-sandbox", "--skip-git-repo-check",
             "-c", "features.plugins=false", "-c", "analytics.enabled=false"],
            CodexHarness.Argv(Request("codex", "gpt-5-codex")));
        Assert.Equal(
            ["-c", "openai_base_url=\"http://127.0.0.1:8080/v1\""],
            CodexHarness.Argv(Request("codex", "gpt-5-codex"), "http://127.0.0.1:8080/v1").TakeLast(2));
        Assert.Equal("\"a\\\"b\\\\c\\u000A\"", CodexHarness.TomlString("a\"b\\c\n"));
    }

    [Fact]
    public void Codex_key_is_CODEX_API_KEY_else_OPENAI_API_KEY()
    {
        Assert.Equal("sk-o", CodexHarness.Key(new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-o" }));
        Assert.Equal("sk-c", CodexHarness.Key(new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-o", ["CODEX_API_KEY"] = "sk-c" }));
        Assert.Null(CodexHarness.Key(new Dictionary<string, string> { ["OPENAI_API_KEY"] = string.Empty }));
    }

    [Fact]
    public void Codex_sample_in_the_documented_format_gives_the_last_agent_message_and_turn_usage_priced_by_the_table()
    {
        var output = new CodexOutput(Prices.Find("gpt-5"));
        foreach (var line in Recorded("codex-exec-json.jsonl"))
        {
            output.Accept(line);
        }

        var result = CodexHarness.Finish(new AgentProcessResult(0, string.Empty, string.Empty), output);

        Assert.Equal("{\"output\": {\"verdict\": \"pass\"}}", result.Reply);
        Assert.Equal(25763, result.InputTokens);
        Assert.Equal(222, result.OutputTokens);

        // gpt-5: $1.25 input, $0.125 cached input, $10 output per million; cached tokens are part of input_tokens.
        var expected = ((315 * 1.25) + (24448 * 0.125) + (122 * 10) + (1000 * 1.25) + (100 * 10)) / 1_000_000;
        Assert.Equal(expected, result.CostUsd!.Value, 12);
    }

    [Fact]
    public void Codex_recorded_run_ignores_the_reconnect_and_fallback_errors_and_prices_the_turn_usage()
    {
        var output = new CodexOutput(Prices.Find("gpt-5"));
        foreach (var line in Recorded("codex-0.169.0-http-fallback-text.jsonl"))
        {
            output.Accept(line);
        }

        // The mock refused the WebSocket; the CLI printed "Reconnecting…" errors, fell back to HTTPS and finished.
        var result = CodexHarness.Finish(new AgentProcessResult(0, string.Empty, string.Empty), output);
        Assert.Equal("The answer is 42.", result.Reply);
        Assert.Equal(1000, result.InputTokens);
        Assert.Equal(500, result.OutputTokens);
        Assert.Equal(((800 * 1.25) + (200 * 0.125) + (500 * 10)) / 1_000_000, result.CostUsd!.Value, 12);
    }

    [Fact]
    public void Codex_recorded_API_error_fails_the_attempt_with_the_failed_turn_message()
    {
        var output = new CodexOutput(Prices.Find("gpt-5"));
        foreach (var line in Recorded("codex-0.169.0-api-error.jsonl"))
        {
            output.Accept(line);
        }

        var error = Assert.Throws<AttemptFailedException>(() => CodexHarness.Finish(new AgentProcessResult(1, string.Empty, string.Empty), output));
        Assert.False(error.Terminal);
        Assert.Equal("codex exited with code 1: unexpected status 401 Unauthorized: invalid x-api-key, url: http://127.0.0.1:18767/v1/responses", error.Message);
    }

    [Fact]
    public void Codex_older_and_flat_agent_messages_and_a_failed_turn_are_read()
    {
        var older = new CodexOutput(null);
        older.Accept("""{"id":"0","msg":{"type":"agent_message","message":"older shape"}}""");
        Assert.Equal("older shape", older.Message);

        var flat = new CodexOutput(null);
        flat.Accept("""{"type":"agent_message","message":"flat shape"}""");
        Assert.Equal("flat shape", flat.Message);

        var failed = new CodexOutput(null);
        failed.Accept("""{"type":"turn.failed","error":{"message":"stream disconnected before completion"}}""");
        var error = Assert.Throws<AttemptFailedException>(() => CodexHarness.Finish(new AgentProcessResult(1, string.Empty, "boom"), failed));
        Assert.False(error.Terminal);
        Assert.Equal("codex exited with code 1: stream disconnected before completion", error.Message);
        Assert.Equal("codex printed no agent message", Assert.Throws<AttemptFailedException>(() => CodexHarness.Finish(new AgentProcessResult(0, string.Empty, string.Empty), new CodexOutput(null))).Message);
    }

    [Theory]
    [InlineData("claude-sonnet-4-6", "anthropic/claude-sonnet-4-6", "ANTHROPIC_API_KEY")]
    [InlineData("gpt-5", "openai/gpt-5", "OPENAI_API_KEY")]
    [InlineData("codex-mini-latest", "openai/codex-mini-latest", "OPENAI_API_KEY")]
    [InlineData("anthropic/claude-haiku-4-5", "anthropic/claude-haiku-4-5", "ANTHROPIC_API_KEY")]
    public void Opencode_argv_uses_the_canonical_model_and_the_provider_key(string model, string canonical, string key)
    {
        Assert.Equal(["opencode", "run", "Do it.\nCarefully.", "--format", "json", "--model", canonical, "--auto"], OpencodeHarness.Argv(Request("opencode", model)));
        Assert.Equal(key, OpencodeHarness.Key(model));
    }

    [Fact]
    public void Opencode_recorded_tool_then_text_run_gives_the_last_text_and_sums_step_finish_cost_and_tokens()
    {
        var output = new OpencodeOutput();
        var costs = new List<double>();
        foreach (var line in Recorded("opencode-1.18.33-tool-then-text.jsonl"))
        {
            output.Accept(line);
            costs.Add(output.CostUsd);
        }

        var result = OpencodeHarness.Finish(new AgentProcessResult(0, string.Empty, string.Empty), output);

        // Turn 1 (a bash call): 3,000 input and 200 output tokens of claude-sonnet-4-6; turn 2 (the text): 3,300 and 50.
        Assert.Equal("{\"output\": {\"verdict\": \"pass\"}}", result.Reply);
        Assert.Equal(0.02265, result.CostUsd!.Value, 9);
        Assert.Equal(6300, result.InputTokens);
        Assert.Equal(250, result.OutputTokens);
        Assert.Equal(0.012, costs[2], 9); // known while the agent still runs, after the first step_finish
    }

    [Fact]
    public void Opencode_recorded_api_error_fails_the_attempt_with_the_API_message()
    {
        var output = new OpencodeOutput();
        foreach (var line in Recorded("opencode-1.18.33-api-error.jsonl"))
        {
            output.Accept(line);
        }

        // The CLI exits 1 after a 401 from the model API.
        var error = Assert.Throws<AttemptFailedException>(() => OpencodeHarness.Finish(new AgentProcessResult(1, string.Empty, string.Empty), output));
        Assert.False(error.Terminal);
        Assert.Equal("opencode exited with code 1: invalid x-api-key", error.Message);
        Assert.Null(error.CostUsd);
        Assert.Equal("opencode printed no text", Assert.Throws<AttemptFailedException>(() => OpencodeHarness.Finish(new AgentProcessResult(0, string.Empty, string.Empty), new OpencodeOutput())).Message);
    }
}
