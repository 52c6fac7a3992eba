using System.Text.Json;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Reads <c>codex exec --json</c> output line by line (AUTHORING.md §9.1): the message is the text of the last completed
/// agent message (<c>{"type": "item.completed", "item": {"type": "agent_message", "text"}}</c>, the older
/// <c>{"msg": {"type": "agent_message", "message"}}</c>, or flat); Codex reports no cost, so each
/// <c>turn.completed</c>'s token usage is priced by the runtime's <see cref="PriceTable"/> (cached input tokens are a
/// part of <c>input_tokens</c>, priced as cache reads).
/// </summary>
public sealed class CodexOutput(ModelPrice? price)
{
    public string? Message { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public double CostUsd { get; private set; }

    /// <summary>True when usage arrived for a model without a price (the cost is then unknown).</summary>
    public bool Unpriced => price is null && (InputTokens > 0 || OutputTokens > 0);

    /// <summary>The error of a <c>turn.failed</c> line, if any.</summary>
    public string? Failure { get; private set; }

    public void Accept(string line)
    {
        using var document = JsonLine.TryParse(line);
        if (document is null)
        {
            return;
        }

        var root = document.RootElement;
        var type = JsonLine.Text(root, "type");
        if (type == "item.completed" && root.TryGetProperty("item", out var item) && JsonLine.Text(item, "type") == "agent_message")
        {
            Message = JsonLine.Text(item, "text") ?? Message;
        }
        else if (root.TryGetProperty("msg", out var msg) && msg.ValueKind == JsonValueKind.Object && JsonLine.Text(msg, "type") == "agent_message")
        {
            Message = JsonLine.Text(msg, "message") ?? Message;
        }
        else if (type == "agent_message")
        {
            Message = JsonLine.Text(root, "message") ?? JsonLine.Text(root, "text") ?? Message;
        }
        else if (type == "turn.completed" && root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            var input = JsonLine.Long(usage, "input_tokens");
            var cached = Math.Min(input, JsonLine.Long(usage, "cached_input_tokens"));
            var output = JsonLine.Long(usage, "output_tokens");
            InputTokens += input;
            OutputTokens += output;
            CostUsd += price?.Cost(input - cached, output, 0, cached) ?? 0;
        }
        else if (type == "turn.failed")
        {
            Failure = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object ? JsonLine.Text(error, "message") : "turn failed";
        }
    }
}
