using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Loopy.Cli.Output;

/// <summary>The text of <c>loopy runs</c> (a table of runs) and <c>loopy runs show</c> (one run, its steps and history).</summary>
public static class RunsReport
{
    public static string List(JsonArray runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            return "no runs\n";
        }

        var rows = runs.Select(r => new[]
        {
            Str(r?["id"]), Str(r?["workflow"]), Str(r?["status"]), Str(r?["event_name"]), Str(r?["created_at"]), Str(r?["error"]),
        }).ToList();
        string[] header = ["id", "workflow", "status", "event", "created_at", "error"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.Append(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd()).Append('\n');
        }

        return text.ToString();
    }

    public static string Show(JsonObject run, JsonArray history)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(history);
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"run: {Str(run["id"])}  ({Str(run["workflow"])}, {Str(run["status"])})\n")
            .Append(CultureInfo.InvariantCulture, $"event: {Str(run["event"]?["name"])} {Str(run["event"]?["id"])} {run["event"]?["fields"]?.ToJsonString()}\n")
            .Append(CultureInfo.InvariantCulture, $"manifest: {Str(run["manifest_hash"])}  cascade: {Str(run["cascade_id"])}  depth: {run["chain_depth"]}\n")
            .Append(CultureInfo.InvariantCulture, $"created: {Str(run["created_at"])}  finished: {Str(run["finished_at"])}\n");
        if (run["error"] is { } error)
        {
            text.Append(CultureInfo.InvariantCulture, $"error: {Str(run["failed_step"])}: {Str(error)}\n");
        }

        text.Append("steps:\n");
        var steps = run["steps"]?.AsArray() ?? [];
        var width = steps.Count == 0 ? 0 : steps.Max(s => Str(s?["name"]).Length);
        foreach (var step in steps)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Str(step?["name"]).PadRight(width)}  {Str(step?["status"]),-9}  attempts {step?["attempts"]}");
            if (step?["output"] is { } output)
            {
                text.Append("  output ").Append(output.ToJsonString());
            }

            if (step?["error"] is { } stepError)
            {
                text.Append("  error ").Append(Str(stepError).Split('\n')[0]);
            }

            text.Append('\n');
        }

        text.Append("history:\n");
        foreach (var entry in history)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {Str(entry?["at"])}  {Str(entry?["kind"]),-15}");
            if (entry?["step_id"] is { } stepId)
            {
                text.Append(' ').Append(Str(stepId));
            }

            if (entry?["payload"] is JsonObject { Count: > 0 } payload)
            {
                text.Append(' ').Append(payload.ToJsonString());
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Str(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}
