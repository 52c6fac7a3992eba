using Loopy.Testing;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// The <c>codex</c> harness end to end in a standalone Runtime, with the real, pinned Codex CLI (<c>LOOPY_TEST_CODEX</c>)
/// against a loopback mock of the Responses API (WebSocket and server-sent events).
/// </summary>
public sealed class CodexHarnessTests : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
