using System.Text.Json.Nodes;
using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Compilation;

/// <summary>Desugars event-field and output types (AUTHORING.md §2.3).</summary>
internal static class TypeShorthand
{
    /// <summary>The JSON Schema for a type, or null (E201) with <paramref name="display"/> naming the bad value.</summary>
    public static JsonNode? Desugar(YNode? node, out string display)
    {
        display = string.Empty;
        switch (node)
        {
            case YMapping mapping:
                return YamlJson.TryConvert(mapping, out var json) ? json : null;
            case YScalar { Value: string text }:
                display = text;
                return FromString(text);
            case YScalar scalar:
                display = PyFormat.Scalar(scalar.Value);
                return null;
            case YSequence:
                display = "[...]";
                return null;
            default:
                display = "None";
                return null;
        }
    }

    public static JsonObject? FromString(string text)
    {
        switch (text)
        {
            case "str":
                return new JsonObject { ["type"] = "string" };
            case "int":
                return new JsonObject { ["type"] = "integer" };
            case "float":
                return new JsonObject { ["type"] = "number" };
            case "bool":
                return new JsonObject { ["type"] = "boolean" };
            case "url":
                return new JsonObject { ["format"] = "uri", ["type"] = "string" };
        }

        if (text.StartsWith("enum[", StringComparison.Ordinal) && text.EndsWith(']'))
        {
            var items = new JsonArray();
            foreach (var item in text[5..^1].Split(','))
            {
                var trimmed = item.Trim();
                if (trimmed.Length > 0)
                {
                    items.Add(trimmed);
                }
            }

            return new JsonObject { ["enum"] = items, ["type"] = "string" };
        }

        return null;
    }
}
