using Loopy.Testing;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// The <c>opencode</c> harness end to end in a standalone Runtime, with the real, pinned opencode CLI
/// (<c>LOOPY_TEST_OPENCODE</c>) whose Anthropic provider talks to a loopback mock of the Messages API.
/// </summary>
public sealed class OpencodeHarnessTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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

    private T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }
}
