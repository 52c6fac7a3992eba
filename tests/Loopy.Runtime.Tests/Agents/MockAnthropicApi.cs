using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// A mock of the Anthropic Messages API on loopback, enough for the real Claude Code CLI: <c>POST /v1/messages</c>
/// answered with the server-sent events of one assistant turn (AGENTS-TESTING.md). Either a text answer, or
/// (<see cref="ToolLoop"/>) a <c>Bash</c> tool call every turn, with the usage the test sets; from turn
/// <see cref="HoldFromTurn"/> on the stream stays open after <c>message_delta</c>, as a slow model would, so only a
/// runtime that reads the streamed usage can stop the agent.
/// </summary>
public sealed class MockAnthropicApi : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private int _turns;

    public string Text { get; init; } = "Hello from the mock model.";

    public bool ToolLoop { get; init; }

    public int InputTokens { get; init; } = 1000;

    public int OutputTokens { get; init; } = 500;

    public int HoldFromTurn { get; init; } = int.MaxValue;

    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>The model of every streamed request, in order.</summary>
    public ConcurrentQueue<string> Models { get; } = new();

    /// <summary>The <c>x-api-key</c> of every streamed request, in order.</summary>
    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>The assistant turns answered so far.</summary>
    public int Turns => _turns;

    /// <summary>Starts listening on a free loopback port (<see cref="BaseUrl"/>).</summary>
    public async Task<MockAnthropicApi> StartAsync(CancellationToken cancellationToken)
    {
        (_app, var baseUrl) = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v1/messages/count_tokens", () => Results.Json(new { input_tokens = 10 }));
            app.MapPost("/v1/messages", MessagesAsync);
        }, cancellationToken);
        BaseUrl = baseUrl;
        return this;
    }

    private async Task MessagesAsync(HttpContext context)
    {
        var request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var model = request?["model"]?.GetValue<string>() ?? "claude-sonnet-4-6";
        if (request?["stream"]?.GetValue<bool>() != true)
        {
            // A side request (titles, quota checks): a short non-streamed answer.
            await context.Response.WriteAsJsonAsync(new
            {
                id = "msg_side",
                type = "message",
                role = "assistant",
                model,
                content = new[] { new { type = "text", text = "ok" } },
                stop_reason = "end_turn",
                usage = new { input_tokens = 1, output_tokens = 1 },
            }, context.RequestAborted);
            return;
        }

        Models.Enqueue(model);
        Keys.Enqueue(context.Request.Headers["x-api-key"].ToString());
        var turn = Interlocked.Increment(ref _turns);
        context.Response.ContentType = "text/event-stream";
        var id = $"msg_{turn}";
        await SendAsync(context, "message_start", new { type = "message_start", message = new { id, type = "message", role = "assistant", model, content = Array.Empty<object>(), stop_reason = (string?)null, usage = new { input_tokens = InputTokens, output_tokens = 1 } } });
        if (ToolLoop)
        {
            await SendAsync(context, "content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "tool_use", id = $"toolu_{turn}", name = "Bash", input = new { } } });
            await SendAsync(context, "content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "input_json_delta", partial_json = JsonSerializer.Serialize(new { command = "echo working", description = "work" }) } });
        }
        else
        {
            await SendAsync(context, "content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "text", text = string.Empty } });
            await SendAsync(context, "content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = Text } });
        }

        await SendAsync(context, "content_block_stop", new { type = "content_block_stop", index = 0 });
        await SendAsync(context, "message_delta", new { type = "message_delta", delta = new { stop_reason = ToolLoop ? "tool_use" : "end_turn" }, usage = new { output_tokens = OutputTokens } });
        if (turn >= HoldFromTurn)
        {
            try
            {
                using var hold = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
                await Task.Delay(Timeout.InfiniteTimeSpan, hold.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        await SendAsync(context, "message_stop", new { type = "message_stop" });
    }

    private static async Task SendAsync(HttpContext context, string name, object data)
    {
        var text = $"event: {name}\ndata: {JsonSerializer.Serialize(data)}\n\n";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }
}
