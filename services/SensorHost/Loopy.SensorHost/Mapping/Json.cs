using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loopy.SensorHost.Mapping;

/// <summary>Small readers the vendor mappers share: a missing or mistyped value reads as null.</summary>
internal static class Json
{
    public static JsonElement? Get(JsonElement? element, params string[] path)
    {
        if (element is not { } current)
        {
            return null;
        }

        foreach (var name in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.Null ? null : current;
    }

    public static bool Has(JsonElement? element, params string[] path) => Get(element, path) is not null;

    /// <summary>A string field: JSON strings as they are, numbers and booleans as their text.</summary>
    public static string? Text(JsonElement? element, params string[] path) => Get(element, path) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    public static long? Integer(JsonElement? element, params string[] path) => Get(element, path) switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var value) => value,
        { ValueKind: JsonValueKind.String } s when long.TryParse(s.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) => value,
        _ => null,
    };

    public static bool IsTrue(JsonElement? element, params string[] path) => Get(element, path) is { ValueKind: JsonValueKind.True };

    /// <summary>Sets <paramref name="name"/> unless <paramref name="value"/> is null (a missing source leaves the field out).</summary>
    public static void Set(JsonObject fields, string name, string? value)
    {
        if (value is not null)
        {
            fields[name] = value;
        }
    }

    public static void Set(JsonObject fields, string name, long? value)
    {
        if (value is { } v)
        {
            fields[name] = v;
        }
    }
}
