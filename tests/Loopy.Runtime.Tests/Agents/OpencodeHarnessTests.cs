using Loopy.Testing;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// The <c>opencode</c> harness end to end in a standalone Runtime, with the real, pinned opencode CLI
/// (<c>LOOPY_TEST_OPENCODE</c>) whose Anthropic provider talks to a loopback mock of the Messages API.
/// </summary>
public sealed class OpencodeHarnessTests : HarnessTestBase
{
    [Fact]
    public async Task The_real_CLI_completes_a_step_with_the_model_text_as_reply_and_the_cost_and_tokens_of_its_step_finish()
    {
        var opencode = TestTools.Opencode;
        var mock = Own(await new MockAnthropicApi { Text = "The answer is 42.", InputTokens = 1000, OutputTokens = 500 }.StartAsync(Ct));
        var project = AgentProjects.Create(AgentProjects.RealOpencodeEnv(opencode, mock), harness: "opencode");
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, null, Ct));

        await runtime.PublishAsync("Ask", new { q = "the question" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("ask", Ct, TimeSpan.FromSeconds(120));
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("The answer is 42.", step.GetProperty("reply").GetString());

        // The CLI's own step_finish cost: 1,000 input and 500 output tokens of claude-sonnet-4-6 at $3 / $15 per million.
        Assert.Equal(0.0105, step.GetProperty("cost_usd").GetDouble(), 6);
        Assert.Contains("claude-sonnet-4-6", mock.Models);
        Assert.All(mock.Keys, key => Assert.Equal("sk-loopy-test-key", key));
        var completed = Assert.Single(await runtime.HistoryAsync(run.GetProperty("id").GetString()!, Ct), h => h.GetProperty("kind").GetString() == "step_completed");
        Assert.Equal(1000, completed.GetProperty("payload").GetProperty("input_tokens").GetInt64());
        Assert.Equal(500, completed.GetProperty("payload").GetProperty("output_tokens").GetInt64());
    }

    [Fact]
    public async Task The_real_CLI_answering_with_an_output_block_gives_the_step_its_typed_output()
    {
        var opencode = TestTools.Opencode;
        var mock = Own(await new MockAnthropicApi { Text = "{\"output\": {\"verdict\": \"fine\"}}", InputTokens = 200, OutputTokens = 20 }.StartAsync(Ct));
        var project = AgentProjects.Create(AgentProjects.RealOpencodeEnv(opencode, mock), harness: "opencode", model: "anthropic/claude-haiku-4-5");
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, null, Ct));

        await runtime.PublishAsync("Typed", new { q = "x" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("typed", Ct, TimeSpan.FromSeconds(120));
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("fine", step.GetProperty("output").GetProperty("verdict").GetString());
        Assert.Contains("claude-haiku-4-5", mock.Models);
    }

    [Fact]
    public async Task The_real_CLI_looping_on_tool_calls_is_stopped_when_its_step_finish_cost_crosses_the_step_budget()
    {
        var opencode = TestTools.Opencode;

        // Every model turn calls the bash tool again and costs 100,000 input tokens ($0.30) and 20,000 output tokens
        // ($0.30) of claude-sonnet-4-6: the step_finish of turn 1 says $0.60, that of turn 2 $1.20, over the $1 cap.
        var mock = Own(await new MockAnthropicApi { ToolLoop = true, InputTokens = 100_000, OutputTokens = 20_000 }.StartAsync(Ct));
        var project = AgentProjects.Create(AgentProjects.RealOpencodeEnv(opencode, mock), harness: "opencode");
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, null, Ct));

        await runtime.PublishAsync("Capped", new { q = "everything" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("capped", Ct, TimeSpan.FromSeconds(120));
        Assert.Equal("failed", run.GetProperty("status").GetString());
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        var error = step.GetProperty("error").GetString()!;
        Assert.StartsWith("budget exceeded: spent $1.2 of the $1 budget.spend cap", error, StringComparison.Ordinal);
        Assert.Contains("process tree was stopped during the step", error, StringComparison.Ordinal);
        Assert.Equal(1, step.GetProperty("attempts").GetInt32());
        Assert.Equal(1.2, step.GetProperty("cost_usd").GetDouble(), 6);
    }
}
