using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// A mock of the OpenAI Responses API on loopback, enough for the real Codex CLI: <c>/v1/responses</c> over a
/// WebSocket (Codex's first choice: each <c>response.create</c> message is answered with the events of one response
/// as text messages) and as <c>POST</c> with server-sent events (its fallback). One response is an assistant message
/// with <see cref="Text"/> and the usage the test sets: <c>response.created</c>, <c>response.output_item.added</c>,
/// <c>response.content_part.added</c>, <c>response.output_text.delta</c>, <c>response.output_text.done</c>,
/// <c>response.output_item.done</c>, <c>response.completed</c> (with <c>usage</c>); the first <see cref="ToolCalls"/>
/// responses are <c>exec_command</c> function calls instead (<c>response.function_call_arguments.*</c>). A WebSocket's first
/// <c>response.create</c> with <c>"generate": false</c> (Codex warming the connection up) gets an empty response.
/// </summary>
public sealed class MockOpenAiResponsesApi : IAsyncDisposable
{
    private WebApplication? _app;
    private int _responses;
    private int _generated;
    private int _warmUps;

    public string Text { get; init; } = "Hello from the mock model.";

    /// <summary>The first this many responses call the <c>exec_command</c> tool (<c>echo working</c>) instead of answering.</summary>
    public int ToolCalls { get; init; }

    public int InputTokens { get; init; } = 1000;

    public int CachedInputTokens { get; init; }

    public int OutputTokens { get; init; } = 500;

    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>The warm-up requests (<c>"generate": false</c>) answered with an empty response.</summary>
    public int WarmUps => _warmUps;

    /// <summary>The model of every response request that generates, in order.</summary>
    public ConcurrentQueue<string> Models { get; } = new();

    /// <summary>The bearer token of every response request (the WebSocket's upgrade request or the POST), in order.</summary>
    public ConcurrentQueue<string> Keys { get; } = new();

    /// <summary>How each response request came: <c>websocket</c> or <c>post</c>.</summary>
    public ConcurrentQueue<string> Transports { get; } = new();

    /// <summary>Starts listening on a free loopback port (<see cref="BaseUrl"/>).</summary>
    public async Task<MockOpenAiResponsesApi> StartAsync(CancellationToken cancellationToken)
    {
        (_app, var baseUrl) = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Map("/v1/responses", ResponsesAsync);
        }, cancellationToken);
        BaseUrl = baseUrl;
        return this;
    }

    private async Task ResponsesAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            // As the real API: no key, no answer.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "You didn't provide an API key.", type = "invalid_request_error", code = "missing_api_key" } }, context.RequestAborted);
            return;
        }

        var key = authorization["Bearer ".Length..];
        if (context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            while (await ReceiveAsync(socket, context.RequestAborted) is { } message)
            {
                if (message["type"]?.GetValue<string>() != "response.create")
                {
                    continue;
                }

                IEnumerable<JsonObject> events;
                if (message["generate"]?.GetValue<bool>() == false)
                {
                    Interlocked.Increment(ref _warmUps);
                    events = WarmUp(message);
                }
                else
                {
                    Record(message, key, "websocket");
                    events = Events(message);
                }

                foreach (var data in events)
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(data.ToJsonString()), WebSocketMessageType.Text, true, context.RequestAborted);
                }
            }

            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) ?? new JsonObject();
        Record(request, key, "post");
        context.Response.ContentType = "text/event-stream";
        foreach (var data in Events(request))
        {
            var text = $"event: {data["type"]!.GetValue<string>()}\ndata: {data.ToJsonString()}\n\n";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    private void Record(JsonNode request, string key, string transport)
    {
        Models.Enqueue(request["model"]?.GetValue<string>() ?? string.Empty);
        Keys.Enqueue(key);
        Transports.Enqueue(transport);
    }

    private IEnumerable<JsonObject> WarmUp(JsonNode request)
    {
        var id = $"resp_warmup_{Interlocked.Increment(ref _responses)}";
        var model = request["model"]?.GetValue<string>() ?? "gpt-5";
        var usage = new JsonObject { ["input_tokens"] = 0, ["output_tokens"] = 0, ["total_tokens"] = 0 };
        yield return new JsonObject { ["type"] = "response.created", ["sequence_number"] = 0, ["response"] = new JsonObject { ["id"] = id, ["object"] = "response", ["status"] = "in_progress", ["model"] = model, ["output"] = new JsonArray() } };
        yield return new JsonObject { ["type"] = "response.completed", ["sequence_number"] = 1, ["response"] = new JsonObject { ["id"] = id, ["object"] = "response", ["status"] = "completed", ["model"] = model, ["output"] = new JsonArray(), ["usage"] = usage } };
    }

    private IEnumerable<JsonObject> Events(JsonNode request)
    {
        var n = Interlocked.Increment(ref _responses);
        var toolCall = Interlocked.Increment(ref _generated) <= ToolCalls;
        var model = request["model"]?.GetValue<string>() ?? "gpt-5";
        var id = $"resp_{n}";
        var itemId = $"msg_{n}";
        JsonObject Response(string status, JsonArray output, JsonObject? usage = null)
        {
            var response = new JsonObject { ["id"] = id, ["object"] = "response", ["created_at"] = 1, ["status"] = status, ["model"] = model, ["output"] = output };
            if (usage is not null)
            {
                response["usage"] = usage;
            }

            return response;
        }

        JsonObject Message(string status, string text) => new()
        {
            ["id"] = itemId,
            ["type"] = "message",
            ["status"] = status,
            ["role"] = "assistant",
            ["content"] = status == "completed" ? new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray() }) : new JsonArray(),
        };

        var sequence = 0;
        JsonObject Event(string type, JsonObject body)
        {
            body["type"] = type;
            body["sequence_number"] = sequence++;
            return body;
        }

        yield return Event("response.created", new() { ["response"] = Response("in_progress", []) });
        JsonObject FunctionCall(string status, string arguments) => new()
        {
            ["id"] = itemId,
            ["type"] = "function_call",
            ["status"] = status,
            ["call_id"] = $"call_{n}",
            ["name"] = "exec_command",
            ["arguments"] = arguments,
        };

        var arguments = JsonSerializer.Serialize(new { cmd = "echo working" });
        var done = toolCall ? FunctionCall("completed", arguments) : Message("completed", Text);
        if (toolCall)
        {
            yield return Event("response.output_item.added", new() { ["output_index"] = 0, ["item"] = FunctionCall("in_progress", string.Empty) });
            yield return Event("response.function_call_arguments.delta", new() { ["item_id"] = itemId, ["output_index"] = 0, ["delta"] = arguments });
            yield return Event("response.function_call_arguments.done", new() { ["item_id"] = itemId, ["output_index"] = 0, ["arguments"] = arguments });
        }
        else
        {
            yield return Event("response.output_item.added", new() { ["output_index"] = 0, ["item"] = Message("in_progress", string.Empty) });
            yield return Event("response.content_part.added", new() { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["part"] = new JsonObject { ["type"] = "output_text", ["text"] = string.Empty, ["annotations"] = new JsonArray() } });
            yield return Event("response.output_text.delta", new() { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["delta"] = Text });
            yield return Event("response.output_text.done", new() { ["item_id"] = itemId, ["output_index"] = 0, ["content_index"] = 0, ["text"] = Text });
        }

        yield return Event("response.output_item.done", new() { ["output_index"] = 0, ["item"] = done.DeepClone() });
        var usage = new JsonObject
        {
            ["input_tokens"] = InputTokens,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = CachedInputTokens },
            ["output_tokens"] = OutputTokens,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
            ["total_tokens"] = InputTokens + OutputTokens,
        };
        yield return Event("response.completed", new() { ["response"] = Response("completed", [done], usage) });
    }

    private static async Task<JsonNode?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonNode.Parse(message.ToArray());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
