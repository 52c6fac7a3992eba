using System.Text;
using System.Text.Json;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Templates;

namespace Loopy.Runtime.Replies;

/// <summary>The reply instruction appended to a prompt (AUTHORING.md §9.2); empty for a step with no output and no emits.</summary>
public static class ReplyInstruction
{
    public static string For(ManifestStep step, ManifestRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(registry);
        if (step.Output.Count == 0 && step.Emits.Count == 0)
        {
            return string.Empty;
        }

        var parts = new List<string>();
        if (step.Output.Count > 0)
        {
            parts.Add($"\"output\" with keys {PythonList(step.Output.Keys)}");
        }

        foreach (var name in step.Emits)
        {
            var keys = registry.Events.TryGetValue(name, out var ev) ? ev.Fields.Keys : [];
            var part = $"\"emits.{name}\" with keys {PythonList(keys)}";
            var rule = step.EmitWhen.TryGetValue(name, out var r) ? r : default;
            part += rule.ValueKind switch
            {
                JsonValueKind.String when rule.GetString() == "always" => string.Empty,
                JsonValueKind.Object => $" (required when {Conditions(rule)})",
                _ => " (optional: omit it or use null to emit nothing)",
            };
            parts.Add(part);
        }

        return "\n\nReturn ONLY a JSON object {\"output\": {...}, \"emits\": {\"<Event>\": {...}}} providing " + string.Join("; ", parts) + ".";
    }

    private static string Conditions(JsonElement rule) =>
        string.Join(" and ", rule.EnumerateObject()
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name} is '{PromptTemplate.Format(p.Value)}'"));

    private static string PythonList(IEnumerable<string> keys)
    {
        var sb = new StringBuilder("[");
        var first = true;
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            sb.Append(first ? string.Empty : ", ").Append('\'').Append(key).Append('\'');
            first = false;
        }

        return sb.Append(']').ToString();
    }
}
