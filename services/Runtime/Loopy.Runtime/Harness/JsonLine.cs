using System.Text.Json;

namespace Loopy.Runtime.Harness;

/// <summary>Reading the JSON-lines output of the agent CLIs: one object per line, anything else ignored.</summary>
internal static class JsonLine
{
    /// <summary>The line as a JSON document when it is a JSON object; null for plain text or a line cut at the length limit.</summary>
    public static JsonDocument? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length == 0 || line[0] != '{')
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long Long(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : 0;
}
