using System.Text.Json;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Reads Claude Code's <c>--output-format stream-json --verbose --include-partial-messages</c> output line by line.
/// The running cost comes from the raw model stream events the CLI forwards: <c>message_start</c> carries a call's
/// input (and cache) tokens, <c>message_delta</c> its output tokens so far, priced by the <see cref="PriceTable"/>
/// (verified with CLI 2.1.330: the <c>assistant</c> lines only repeat <c>message_start</c>'s usage, so they would
/// miss the output tokens). The final <c>result</c> line carries the CLI's own <c>total_cost_usd</c>, which wins.
/// </summary>
public sealed class ClaudeOutput(PriceTable prices, string defaultModel)
{
    private double _finished;
    private double _current;
    private ModelPrice? _currentPrice;
    private long _currentInput;
    private long _currentCacheWrite;
    private long _currentCacheRead;

    /// <summary>What the attempt has spent so far: the CLI's total once the result arrived, else the priced stream usage.</summary>
    public double RunningCostUsd => Math.Max(TotalCostUsd ?? 0, _finished + _current);

    /// <summary>True once a model call's usage was seen that no price covers (running costs are then unknown).</summary>
    public bool Unpriced { get; private set; }

    public bool HasResult { get; private set; }

    public bool IsError { get; private set; }

    public string? Subtype { get; private set; }

    public string? Result { get; private set; }

    public string? Errors { get; private set; }

    public double? TotalCostUsd { get; private set; }

    public long? InputTokens { get; private set; }

    public long? OutputTokens { get; private set; }

    /// <summary>Takes one stdout line; lines that are not JSON objects are ignored.</summary>
    public void Accept(string line)
    {
        using var document = JsonLine.TryParse(line);
        if (document is null)
        {
            return;
        }

        var root = document.RootElement;
        switch (JsonLine.Text(root, "type"))
        {
            case "stream_event" when root.TryGetProperty("event", out var streamEvent) && streamEvent.ValueKind == JsonValueKind.Object:
                AcceptEvent(streamEvent);
                break;
            case "result":
                AcceptResult(root);
                break;
            default:
                break;
        }
    }

    private void AcceptEvent(JsonElement streamEvent)
    {
        switch (JsonLine.Text(streamEvent, "type"))
        {
            case "message_start" when streamEvent.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object:
                _finished += _current;
                _current = 0;
                var model = JsonLine.Text(message, "model") ?? defaultModel;
                _currentPrice = prices.Find(model) ?? prices.Find(defaultModel);
                var usage = Usage(message);
                _currentInput = JsonLine.Long(usage, "input_tokens");
                _currentCacheWrite = JsonLine.Long(usage, "cache_creation_input_tokens");
                _currentCacheRead = JsonLine.Long(usage, "cache_read_input_tokens");
                Price(JsonLine.Long(usage, "output_tokens"));
                break;
            case "message_delta":
                var delta = Usage(streamEvent);
                if (delta.ValueKind == JsonValueKind.Object)
                {
                    // message_delta usage is cumulative for the call; input counts may be restated.
                    _currentInput = Math.Max(_currentInput, JsonLine.Long(delta, "input_tokens"));
                    _currentCacheWrite = Math.Max(_currentCacheWrite, JsonLine.Long(delta, "cache_creation_input_tokens"));
                    _currentCacheRead = Math.Max(_currentCacheRead, JsonLine.Long(delta, "cache_read_input_tokens"));
                    Price(JsonLine.Long(delta, "output_tokens"));
                }

                break;
            default:
                break;
        }
    }

    private void Price(long output)
    {
        if (_currentPrice is null)
        {
            Unpriced = true;
            return;
        }

        _current = Math.Max(_current, _currentPrice.Cost(_currentInput, output, _currentCacheWrite, _currentCacheRead));
    }

    private void AcceptResult(JsonElement root)
    {
        HasResult = true;
        Subtype = JsonLine.Text(root, "subtype");
        IsError = root.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True;
        Result = JsonLine.Text(root, "result");
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            Errors = string.Join("; ", errors.EnumerateArray().Select(e => e.ToString()));
        }

        TotalCostUsd = root.TryGetProperty("total_cost_usd", out var cost) && cost.ValueKind == JsonValueKind.Number ? cost.GetDouble() : null;
        var usage = Usage(root);
        InputTokens = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("input_tokens", out var i) && i.TryGetInt64(out var iv) ? iv : null;
        OutputTokens = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("output_tokens", out var o) && o.TryGetInt64(out var ov) ? ov : null;
    }

    private static JsonElement Usage(JsonElement obj) =>
        obj.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object ? usage : default;
}
