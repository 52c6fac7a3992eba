using System.Text.Json;
using Loopy.Testing;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// The <c>claude-code</c> harness end to end in a standalone Runtime: with the real, pinned Claude Code CLI against a
/// loopback mock of the Messages API, and with a fake <c>claude</c> script that records what it was given.
/// </summary>
public sealed class ClaudeCodeHarnessTests : HarnessTestBase
{
    [Fact]
    public async Task The_real_CLI_completes_a_step_with_the_model_text_as_reply_and_its_total_cost_recorded()
    {
        var claude = TestTools.Claude;
        var mock = Own(await new MockAnthropicApi { Text = "The answer is 42.", InputTokens = 1000, OutputTokens = 500 }.StartAsync(Ct));
        var runtime = Own(await RuntimeFixture.StartAsync(AgentProjects.Create(AgentProjects.RealClaudeEnv(claude, mock)), null, null, null, Ct));

        await runtime.PublishAsync("Ask", new { q = "the question" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("ask", Ct, TimeSpan.FromSeconds(120));
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("The answer is 42.", step.GetProperty("reply").GetString());

        // The CLI's own total_cost_usd: 1,000 input and 500 output tokens of claude-sonnet-4-6 at $3 / $15 per million.
        Assert.Equal(0.0105, step.GetProperty("cost_usd").GetDouble(), 6);
        Assert.Contains("claude-sonnet-4-6", mock.Models);
        var completed = Assert.Single(await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct), h => h.GetProperty("kind").GetString() == "step_completed");
        Assert.Equal(1000, completed.GetProperty("payload").GetProperty("input_tokens").GetInt64());
        Assert.Equal(500, completed.GetProperty("payload").GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task The_real_CLI_looping_on_tool_calls_is_stopped_when_its_streamed_cost_crosses_the_step_budget()
    {
        var claude = TestTools.Claude;

        // Each turn: 100,000 input tokens ($0.30) and 20,000 output tokens ($0.30). Turn 1 ends at $0.60; turn 2's
        // message_delta brings the running cost to $1.20, and from turn 2 the mock never ends the stream: only a
        // runtime that reads the streamed usage stops the agent (else the wall clock would).
        var mock = Own(await new MockAnthropicApi { ToolLoop = true, InputTokens = 100_000, OutputTokens = 20_000, HoldFromTurn = 2 }.StartAsync(Ct));
        var runtime = Own(await RuntimeFixture.StartAsync(AgentProjects.Create(AgentProjects.RealClaudeEnv(claude, mock)), null, null, null, Ct));

        await runtime.PublishAsync("Capped", new { q = "everything" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("capped", Ct, TimeSpan.FromSeconds(120));
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        var error = step.GetProperty("error").GetString()!;
        Assert.StartsWith("budget exceeded: spent $1.2 of the $1 budget.spend cap", error, StringComparison.Ordinal);
        Assert.Contains("process tree was stopped during the step", error, StringComparison.Ordinal);
        Assert.Equal(1, step.GetProperty("attempts").GetInt32());
        Assert.Equal(1.2, step.GetProperty("cost_usd").GetDouble(), 6);
        Assert.Equal(2, mock.Turns);
        var failed = Assert.Single(await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct), h => h.GetProperty("kind").GetString() == "step_failed");
        Assert.True(failed.GetProperty("payload").GetProperty("terminal").GetBoolean());
    }

    [Fact]
    public async Task A_fake_claude_gets_the_exact_argv_as_the_agent_user_in_a_fresh_working_directory_with_the_skills()
    {
        var runtime = Own(await RuntimeFixture.StartAsync(AgentProjects.Create(new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-fake" }, """
            for a in "$@"; do printf '%s\0' "$a"; done > "$RECORD_DIR/argv"
            find . -type f | sort > "$RECORD_DIR/files"
            pwd > "$RECORD_DIR/pwd"
            id -u > "$RECORD_DIR/uid"
            echo '{"type":"system","subtype":"init"}'
            echo '{"type":"result","subtype":"success","is_error":false,"result":"fake done","total_cost_usd":0.25,"usage":{"input_tokens":7,"output_tokens":3}}'
            """, capUsd: "2"), null, null, null, Ct));

        await runtime.PublishAsync("Capped", new { q = "the fake" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("capped", Ct);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("fake done", step.GetProperty("reply").GetString());
        Assert.Equal(0.25, step.GetProperty("cost_usd").GetDouble(), 6);

        var output = Path.Combine(runtime.ProjectRoot, "out");
        var argv = (await File.ReadAllTextAsync(Path.Combine(output, "argv"), Ct)).Split('\0')[..^1];
        var prompt = """
            Spend on the fake

            Skills are available in the working directory; read a skill's SKILL.md before you use it:
            - review: Review a change for bugs (.loopy/skills/review/SKILL.md)
            - tools/lint: Run the linter before committing. (.loopy/skills/tools/lint/SKILL.md)
            """.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(
            ["-p", prompt, "--output-format", "stream-json", "--verbose", "--include-partial-messages", "--model", "claude-sonnet-4-6",
             "--permission-mode", "bypassPermissions", "--max-budget-usd", "2"],
            argv);

        // Skills where the CLI finds project skills (.claude/skills/<a-b>/) and where the prompt points (.loopy/skills/).
        var files = await File.ReadAllLinesAsync(Path.Combine(output, "files"), Ct);
        Assert.Equal(
            ["./.claude/skills/review/SKILL.md", "./.claude/skills/review/checklist.md", "./.claude/skills/tools-lint/SKILL.md",
             "./.loopy/skills/review/SKILL.md", "./.loopy/skills/review/checklist.md", "./.loopy/skills/tools/lint/SKILL.md"],
            files);
        var pwd = (await File.ReadAllTextAsync(Path.Combine(output, "pwd"), Ct)).Trim();
        Assert.NotEqual(runtime.ProjectRoot, pwd);
        Assert.False(Directory.Exists(pwd), "the attempt's working directory is removed after the attempt");
        if (Environment.UserName == "root")
        {
            Assert.Equal("65534", (await File.ReadAllTextAsync(Path.Combine(output, "uid"), Ct)).Trim());
        }
    }

    [Fact]
    public async Task A_fake_claude_streaming_rising_cost_is_stopped_at_the_first_usage_line_that_crosses_the_budget()
    {
        // Every line is a model call of 100,000 input tokens of claude-sonnet-4-6: $0.30 each; the cap is $1.
        var runtime = Own(await RuntimeFixture.StartAsync(AgentProjects.Create(new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-fake" }, """
            n=0
            while true; do
              n=$((n+1))
              echo "$n" > "$RECORD_DIR/lines"
              echo '{"type":"stream_event","event":{"type":"message_start","message":{"id":"m","model":"claude-sonnet-4-6","usage":{"input_tokens":100000,"output_tokens":0}}}}'
              sleep 0.2
            done
            """), null, null, null, Ct));

        await runtime.PublishAsync("Capped", new { q = "rising" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("capped", Ct);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.StartsWith("budget exceeded: spent $1.2 of the $1 budget.spend cap", step.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("4", (await File.ReadAllTextAsync(Path.Combine(runtime.ProjectRoot, "out", "lines"), Ct)).Trim());
    }

    [Fact]
    public async Task A_claude_that_prints_no_result_or_reports_an_error_fails_the_attempt_with_the_reason()
    {
        var runtime = Own(await RuntimeFixture.StartAsync(AgentProjects.Create(new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-fake" }, """
            if [ "$LOOPY_ATTEMPT" = 1 ]; then echo 'no envelope here'; echo 'model unreachable' >&2; exit 1; fi
            if [ "$LOOPY_ATTEMPT" = 2 ]; then echo '{"type":"result","subtype":"error_during_execution","is_error":true,"result":"API Error: 529 overloaded","total_cost_usd":0.01}'; exit 0; fi
            echo '{"type":"result","subtype":"success","is_error":false,"result":"{\"output\": {\"verdict\": \"fine\"}}","total_cost_usd":0.02,"usage":{"input_tokens":1,"output_tokens":1}}'
            """), null, null, null, Ct));

        await runtime.PublishAsync("Typed", new { q = "x" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("typed", Ct);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("fine", step.GetProperty("output").GetProperty("verdict").GetString());
        Assert.Equal(0.03, step.GetProperty("cost_usd").GetDouble(), 6);
        var retries = (await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct))
            .Where(h => h.GetProperty("kind").GetString() == "step_retrying")
            .Select(h => h.GetProperty("payload").GetProperty("error").GetString())
            .ToList();
        Assert.Equal(["claude exited with code 1: model unreachable\n", "claude reported an error (error_during_execution, exit code 0): API Error: 529 overloaded"], retries);
    }
}
