using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Loopy.Runtime.Templates;

/// <summary>
/// Renders a step body in one pass over its <c>{{ producer.field }}</c> tags (AUTHORING.md §3.4, §8.3):
/// strings verbatim, numbers as their JSON text, booleans <c>true</c>/<c>false</c>, null as empty,
/// arrays and objects as compact JSON; inserted text is never re-scanned. A reference that cannot be
/// resolved (an unknown producer, or a field the event or output does not have) is an error, never an
/// empty string.
/// </summary>
public static partial class PromptTemplate
{
    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Renders <paramref name="body"/>; <paramref name="producers"/> maps <c>event</c> and upstream step names to JSON objects.</summary>
    public static string Render(string body, IReadOnlyDictionary<string, JsonElement> producers)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(producers);
        var result = new StringBuilder(body.Length);
        var position = 0;
        foreach (Match match in TagPattern().Matches(body))
        {
            result.Append(body, position, match.Index - position);
            position = match.Index + match.Length;
            var inside = match.Groups[1].Value.Trim();
            var dot = inside.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0)
            {
                throw new TemplateException($"template reference '{match.Value}' is not of the form {{{{ producer.field }}}}");
            }

            var producer = inside[..dot];
            var field = inside[(dot + 1)..];
            if (!producers.TryGetValue(producer, out var source) || source.ValueKind != JsonValueKind.Object)
            {
                throw new TemplateException($"template reference '{match.Value}' cannot be resolved: '{producer}' is not the event or a completed upstream step");
            }

            if (!source.TryGetProperty(field, out var value))
            {
                throw new TemplateException($"template reference '{match.Value}' cannot be resolved: '{producer}' has no field '{field}'");
            }

            result.Append(Format(value));
        }

        result.Append(body, position, body.Length - position);
        return result.ToString();
    }

    /// <summary>A JSON value as §8.3 renders it.</summary>
    public static string Format(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => JsonSerializer.Serialize(value, CompactJson),
    };

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex TagPattern();
}
