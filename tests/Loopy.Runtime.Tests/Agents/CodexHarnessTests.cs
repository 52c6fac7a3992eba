using Loopy.Testing;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// The <c>codex</c> harness end to end in a standalone Runtime, with the real, pinned Codex CLI (<c>LOOPY_TEST_CODEX</c>)
/// against a loopback mock of the Responses API (WebSocket and server-sent events).
/// </summary>
public sealed class CodexHarnessTests : HarnessTestBase
{
    [Fact]
    public async Task The_real_CLI_completes_a_step_with_the_model_text_as_reply_and_its_turn_usage_priced()
    {
        var codex = TestTools.Codex;
        var mock = Own(await new MockOpenAiResponsesApi { Text = "The answer is 42.", InputTokens = 1000, CachedInputTokens = 200, OutputTokens = 500 }.StartAsync(Ct));
        var project = AgentProjects.Create(AgentProjects.RealCodexEnv(codex, mock), harness: "codex", model: "gpt-5");
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, null, Ct));

        await runtime.PublishAsync("Ask", new { q = "the question" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("ask", Ct, TimeSpan.FromSeconds(120));
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("The answer is 42.", step.GetProperty("reply").GetString());

        // turn.completed usage priced by the table for gpt-5: 800 input at $1.25, 200 cached at $0.125, 500 output at $10 per million.
        Assert.Equal(((800 * 1.25) + (200 * 0.125) + (500 * 10)) / 1_000_000, step.GetProperty("cost_usd").GetDouble(), 9);
        Assert.Equal(["gpt-5"], mock.Models);
        Assert.Equal(["sk-loopy-test-key"], mock.Keys);
        Assert.Equal(["websocket"], mock.Transports);
        var completed = Assert.Single(await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct), h => h.GetProperty("kind").GetString() == "step_completed");
        Assert.Equal(1000, completed.GetProperty("payload").GetProperty("input_tokens").GetInt64());
        Assert.Equal(500, completed.GetProperty("payload").GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task The_real_CLI_running_tools_gives_the_typed_output_and_reports_the_usage_of_all_its_model_calls_at_the_turn_end()
    {
        var codex = TestTools.Codex;

        // Two exec_command calls (run by the CLI in the sandbox), then the answer: three model calls of 1,000 / 100 tokens.
        var mock = Own(await new MockOpenAiResponsesApi { ToolCalls = 2, Text = "{\"output\": {\"verdict\": \"fine\"}}", InputTokens = 1000, OutputTokens = 100 }.StartAsync(Ct));
        var project = AgentProjects.Create(AgentProjects.RealCodexEnv(codex, mock), harness: "codex", model: "gpt-5");
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, null, Ct));

        await runtime.PublishAsync("Typed", new { q = "x" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("typed", Ct, TimeSpan.FromSeconds(120));
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("fine", step.GetProperty("output").GetProperty("verdict").GetString());
        Assert.Equal(3, mock.Models.Count);
        Assert.Equal(((3000 * 1.25) + (300 * 10)) / 1_000_000, step.GetProperty("cost_usd").GetDouble(), 9);
        var completed = Assert.Single(await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct), h => h.GetProperty("kind").GetString() == "step_completed");
        Assert.Equal(3000, completed.GetProperty("payload").GetProperty("input_tokens").GetInt64());
        Assert.Equal(300, completed.GetProperty("payload").GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task The_real_CLI_over_the_step_budget_fails_the_step_only_when_its_turn_ends_as_it_reports_no_usage_before()
    {
        var codex = TestTools.Codex;

        // Three model calls of 1,000 input and 40,000 output tokens of gpt-5 ($0.40125 each): the $1 cap is crossed by
        // the third, but codex exec prints usage only in turn.completed, so the runtime learns the $1.20375 when the
        // turn is over. (Far larger calls make the CLI compact its context through the API, which the mock lacks.)
        var mock = Own(await new MockOpenAiResponsesApi { ToolCalls = 2, InputTokens = 1000, OutputTokens = 40_000 }.StartAsync(Ct));
        var project = AgentProjects.Create(AgentProjects.RealCodexEnv(codex, mock), harness: "codex", model: "gpt-5");
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, null, Ct));

        await runtime.PublishAsync("Capped", new { q = "everything" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("capped", Ct, TimeSpan.FromSeconds(120));
        var history = await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct);
        Assert.True(run.GetProperty("status").GetString() == "failed", string.Join("\n", history.Select(h => h.ToString())));
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.StartsWith("budget exceeded: spent $1.20375 of the $1 budget.spend cap", step.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, step.GetProperty("attempts").GetInt32());
        Assert.Equal(3, mock.Models.Count);
    }
}
