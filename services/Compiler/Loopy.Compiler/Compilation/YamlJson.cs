using System.Text.Json.Nodes;
using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Compilation;

/// <summary>Converts YAML nodes to JSON nodes for pass-through values (schemas, images, sensor maps).</summary>
internal static class YamlJson
{
    private const int MaxNodes = 100_000;

    /// <summary>False when a NaN or an infinity occurs (no JSON form) or the value is too large (alias expansion).</summary>
    public static bool TryConvert(YNode? node, out JsonNode? json)
    {
        var budget = MaxNodes;
        return TryConvert(node, ref budget, out json);
    }

    public static JsonNode? ScalarToJson(object? value) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        string s => JsonValue.Create(s),
        _ => JsonValue.Create(value.ToString()),
    };

    private static bool TryConvert(YNode? node, ref int budget, out JsonNode? json)
    {
        json = null;
        if (--budget < 0)
        {
            return false;
        }

        switch (node)
        {
            case null:
                return true;
            case YScalar scalar:
                if (scalar.Value is double d && !double.IsFinite(d))
                {
                    return false;
                }

                json = ScalarToJson(scalar.Value);
                return true;
            case YSequence sequence:
                {
                    var array = new JsonArray();
                    foreach (var item in sequence.Items)
                    {
                        if (!TryConvert(item, ref budget, out var child))
                        {
                            return false;
                        }

                        array.Add(child);
                    }

                    json = array;
                    return true;
                }

            case YMapping mapping:
                {
                    var obj = new JsonObject();
                    foreach (var entry in mapping.Entries)
                    {
                        var key = entry.Key is YScalar k
                            ? k.Value switch
                            {
                                string text => text,
                                bool b => b ? "true" : "false",
                                null => "null",
                                _ => k.Text,
                            }
                            : "?";

                        if (!TryConvert(entry.Value, ref budget, out var child))
                        {
                            return false;
                        }

                        obj[key] = child;
                    }

                    json = obj;
                    return true;
                }

            default:
                return false;
        }
    }
}
