using System.Text.Json;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Reads <c>opencode run --format json</c> output line by line (AUTHORING.md §9.1): the message is <c>part.text</c> of the
/// last <c>{"type": "text"}</c> line; cost and tokens are summed over the <c>step_finish</c> parts (<c>part.cost</c>,
/// <c>part.tokens.input</c>, <c>part.tokens.output</c>) as they stream. An <c>error</c> line's message is kept.
/// </summary>
public sealed class OpencodeOutput
{
    public string? Message { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public double CostUsd { get; private set; }

    public bool SawCost { get; private set; }

    public string? Failure { get; private set; }

    public void Accept(string line)
    {
        using var document = JsonLine.TryParse(line);
        if (document is null)
        {
            return;
        }

        var root = document.RootElement;
        var part = root.TryGetProperty("part", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        switch (JsonLine.Text(root, "type"))
        {
            case "text" when part.ValueKind == JsonValueKind.Object:
                Message = JsonLine.Text(part, "text") ?? Message;
                break;
            case "step_finish" when part.ValueKind == JsonValueKind.Object:
                if (part.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Number)
                {
                    CostUsd += cost.GetDouble();
                    SawCost = true;
                }

                if (part.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Object)
                {
                    InputTokens += JsonLine.Long(tokens, "input");
                    OutputTokens += JsonLine.Long(tokens, "output");
                }

                break;
            case "error":
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
                Failure = (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("data", out var data) ? JsonLine.Text(data, "message") : null)
                    ?? JsonLine.Text(error, "message") ?? JsonLine.Text(error, "name") ?? JsonLine.Text(root, "message") ?? "error";
                break;
            default:
                break;
        }
    }
}
