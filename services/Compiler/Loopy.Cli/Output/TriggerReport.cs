using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Standalone.Trigger;

namespace Loopy.Cli.Output;

/// <summary>
/// What <c>loopy trigger</c> prints (docs/cli.md): per run <c>run:</c>, <c>steps: a -&gt; b</c> with each step's state
/// and attempts, <c>emitted:</c> and <c>output[step]:</c> lines; or, with <c>--json</c>, one record whose top-level
/// <c>run</c>, <c>steps</c>, <c>emitted</c>, <c>outputs</c> (the first run) and <c>failed</c> keep the Python
/// Loopy's shape, plus <c>event</c>, <c>runs</c> (every run of the cascade in full) and <c>timed_out</c>.
/// </summary>
public static class TriggerReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The failures: each failed or unfinished run, or the absence of any run.</summary>
    public static IReadOnlyList<(string? RunId, string Error)> Failures(TriggerResult result, string eventName)
    {
        ArgumentNullException.ThrowIfNull(result);
        var failures = new List<(string? RunId, string Error)>();
        if (result.Runs.Count == 0)
        {
            failures.Add((null, $"no workflow starts on '{eventName}' with these fields"));
        }

        foreach (var run in result.Runs.Where(r => !r.Succeeded))
        {
            var error = run.Status == "running"
                ? "still running when the trigger timed out"
                : run.Error ?? $"run {run.Status}";
            failures.Add((run.RunId, error));
        }

        return failures;
    }

    public static string Text(TriggerResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        foreach (var run in result.Runs)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(CultureInfo.InvariantCulture, $"run: {run.RunId}  ({run.Workflow}, {run.Status}; on {run.EventName} {run.EventId})\n");
            text.Append("steps: ").Append(string.Join(" -> ", run.Steps.Where(s => s.Attempts > 0).Select(s => s.Name))).Append('\n');
            var width = run.Steps.Count == 0 ? 0 : run.Steps.Max(s => s.Name.Length);
            foreach (var step in run.Steps)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {step.Name.PadRight(width)}  {step.Status,-9}  attempts {step.Attempts}");
                if (step.Error is { } error)
                {
                    text.Append("  ").Append(FirstLine(error));
                }

                text.Append('\n');
            }

            text.Append("emitted: ")
                .Append(run.Emitted.Count == 0 ? "(none)" : string.Join(", ", run.Emitted.Select(e => $"{e.Event} ({e.EventId})")))
                .Append('\n');
            foreach (var step in run.Steps.Where(s => s.Output is not null))
            {
                text.Append(CultureInfo.InvariantCulture, $"output[{step.Name}]: {step.Output!.ToJsonString()}\n");
            }
        }

        return text.ToString();
    }

    public static string Json(TriggerResult result, string eventName, JsonElement fields)
    {
        ArgumentNullException.ThrowIfNull(result);
        var first = result.Runs.Count > 0 ? result.Runs[0] : null;
        var record = new JsonObject
        {
            ["event"] = new JsonObject { ["id"] = result.EventId, ["name"] = eventName, ["fields"] = JsonNode.Parse(fields.GetRawText()) },
            ["run"] = first?.RunId,
            ["steps"] = new JsonArray([.. (first?.Steps ?? []).Where(s => s.Attempts > 0).Select(s => (JsonNode?)s.Name)]),
            ["emitted"] = new JsonArray([.. (first?.Emitted ?? []).Select(e => (JsonNode?)e.Event)]),
            ["outputs"] = Outputs(first?.Steps ?? []),
            ["failed"] = new JsonArray([.. Failures(result, eventName).Select(f => (JsonNode?)new JsonObject { ["run_id"] = f.RunId, ["error"] = f.Error })]),
            ["runs"] = new JsonArray([.. result.Runs.Select(RunJson)]),
            ["timed_out"] = result.TimedOut,
        };
        return record.ToJsonString(Indented) + "\n";
    }

    private static JsonNode RunJson(TriggeredRun run) => new JsonObject
    {
        ["run_id"] = run.RunId,
        ["workflow"] = run.Workflow,
        ["event"] = run.EventName,
        ["event_id"] = run.EventId,
        ["chain_depth"] = run.ChainDepth,
        ["status"] = run.Status,
        ["error"] = run.Error,
        ["failed_step"] = run.FailedStep,
        ["steps"] = new JsonArray([.. run.Steps.Select(s => (JsonNode?)new JsonObject
        {
            ["name"] = s.Name,
            ["step_id"] = s.StepId,
            ["status"] = s.Status,
            ["attempts"] = s.Attempts,
            ["output"] = s.Output?.DeepClone(),
            ["error"] = s.Error,
            ["cost_usd"] = s.CostUsd,
        })]),
        ["emitted"] = new JsonArray([.. run.Emitted.Select(e => (JsonNode?)new JsonObject { ["event"] = e.Event, ["event_id"] = e.EventId, ["step_id"] = e.StepId })]),
        ["outputs"] = Outputs(run.Steps),
    };

    private static JsonObject Outputs(IEnumerable<TriggeredStep> steps)
    {
        var outputs = new JsonObject();
        foreach (var step in steps.Where(s => s.Output is not null))
        {
            outputs[step.Name] = step.Output!.DeepClone();
        }

        return outputs;
    }

    private static string FirstLine(string text) => text.Split('\n')[0].TrimEnd();
}
