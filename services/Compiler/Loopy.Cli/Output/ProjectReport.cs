using System.Text;
using Loopy.Contracts.Manifest;
using Spectre.Console;

namespace Loopy.Cli.Output;

/// <summary>The per-workflow flow diagram and the event-wiring table printed by <c>loopy compile</c>.</summary>
public static class ProjectReport
{
    /// <summary>Plain text, for pipes and files.</summary>
    public static string RenderPlain(LoopyManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var sb = new StringBuilder();
        foreach (var (name, workflow) in manifest.Workflows.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            sb.Append("workflow ").Append(name).Append('\n');
            foreach (var (stepName, step) in OrderedSteps(workflow))
            {
                sb.Append("  ").Append(StepLine(stepName, step, workflow)).Append('\n');
            }
        }

        var rows = WiringRows(manifest);
        if (rows.Count > 0)
        {
            var w0 = Math.Max("event".Length, rows.Max(r => r.Event.Length));
            var w1 = Math.Max("producers".Length, rows.Max(r => r.Producers.Length));
            sb.Append('\n').Append("event".PadRight(w0)).Append("  ").Append("producers".PadRight(w1)).Append("  consumers\n");
            foreach (var (ev, producers, consumers) in rows)
            {
                sb.Append(ev.PadRight(w0)).Append("  ").Append(producers.PadRight(w1)).Append("  ").Append(consumers).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>Trees and a table, for a terminal.</summary>
    public static void RenderRich(IAnsiConsole console, LoopyManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var (name, workflow) in manifest.Workflows.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var tree = new Tree($"[bold]{Markup.Escape(name)}[/]");
            foreach (var (stepName, step) in OrderedSteps(workflow))
            {
                tree.AddNode(Markup.Escape(StepLine(stepName, step, workflow)));
            }

            console.Write(tree);
        }

        var rows = WiringRows(manifest);
        if (rows.Count > 0)
        {
            var table = new Table().AddColumn("event").AddColumn("producers").AddColumn("consumers");
            foreach (var (ev, producers, consumers) in rows)
            {
                table.AddRow(Markup.Escape(ev), Markup.Escape(producers), Markup.Escape(consumers));
            }

            console.Write(table);
        }
    }

    private static string StepLine(string stepName, ManifestStep step, ManifestWorkflow workflow)
    {
        var sb = new StringBuilder(stepName);
        if (step.Trigger is { } trigger)
        {
            var filters = trigger.Filters is { Count: > 0 } f
                ? "(" + string.Join(", ", f.Select(p => $"{p.Key}=\"{p.Value}\"")) + ")"
                : string.Empty;
            sb.Append(trigger.Kind == ManifestTrigger.CronKind
                ? $"  [on cron {trigger.Expr}{(trigger.Tz is null ? string.Empty : " " + trigger.Tz)}]"
                : $"  [on {trigger.Event}{filters}]");
        }

        var next = workflow.Steps.Where(s => s.Value.After.Contains(stepName)).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
        if (next.Count > 0)
        {
            sb.Append(" -> ").Append(string.Join(", ", next));
        }

        if (step.Emits.Count > 0)
        {
            sb.Append("  (emits ").Append(string.Join(", ", step.Emits)).Append(')');
        }

        return sb.ToString();
    }

    /// <summary>Steps in run order: Kahn's algorithm, ties by name.</summary>
    private static List<KeyValuePair<string, ManifestStep>> OrderedSteps(ManifestWorkflow workflow)
    {
        var remaining = workflow.Steps.ToDictionary(s => s.Key, s => s.Value.After.Count(a => workflow.Steps.ContainsKey(a)), StringComparer.Ordinal);
        var result = new List<KeyValuePair<string, ManifestStep>>();
        var ready = new SortedSet<string>(remaining.Where(r => r.Value == 0).Select(r => r.Key), StringComparer.Ordinal);
        while (ready.Count > 0)
        {
            var name = ready.Min!;
            ready.Remove(name);
            result.Add(new(name, workflow.Steps[name]));
            foreach (var (other, step) in workflow.Steps)
            {
                if (step.After.Contains(name) && --remaining[other] == 0)
                {
                    ready.Add(other);
                }
            }
        }

        return result;
    }

    private static List<(string Event, string Producers, string Consumers)> WiringRows(LoopyManifest manifest) =>
        manifest.Lineage.Events.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => (e.Key,
                e.Value.Producers.Count == 0 ? "-" : string.Join(", ", e.Value.Producers),
                e.Value.Consumers.Count == 0 ? "-" : string.Join(", ", e.Value.Consumers)))
            .ToList();
}
