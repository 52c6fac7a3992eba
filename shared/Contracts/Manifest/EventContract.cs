using System.Text.Json.Nodes;

namespace Loopy.Contracts.Manifest;

/// <summary>
/// Builds the JSON Schema of a whole <c>POST /events</c> body for one event (AUTHORING.md §7.4):
/// <c>{fields, id, name, occurred_at}</c>, <c>required</c> lists sorted.
/// </summary>
public static class EventContract
{
    /// <summary>The schema document for event <paramref name="eventName"/> whose fields map to JSON Schemas.</summary>
    public static JsonObject BuildSchema(string eventName, IEnumerable<KeyValuePair<string, JsonNode?>> fields)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(fields);
        var properties = new JsonObject();
        var required = new List<string>();
        foreach (var (name, schema) in fields)
        {
            properties[name] = schema?.DeepClone();
            required.Add(name);
        }

        required.Sort(CanonicalJson.CompareCodePoints);
        var requiredArray = new JsonArray();
        foreach (var name in required)
        {
            requiredArray.Add(name);
        }

        return new JsonObject
        {
            ["$id"] = $"urn:loopy:event:{eventName}",
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["properties"] = new JsonObject
            {
                ["fields"] = new JsonObject
                {
                    ["additionalProperties"] = true,
                    ["properties"] = properties,
                    ["required"] = requiredArray,
                    ["type"] = "object",
                },
                ["id"] = new JsonObject { ["type"] = "string" },
                ["name"] = new JsonObject { ["const"] = eventName },
                ["occurred_at"] = new JsonObject { ["format"] = "date-time", ["type"] = "string" },
            },
            ["required"] = new JsonArray("fields", "name"),
            ["title"] = eventName,
            ["type"] = "object",
        };
    }

    /// <summary>The canonical text of <see cref="BuildSchema"/>, as written to <c>contract/&lt;Event&gt;.schema.json</c>.</summary>
    public static string BuildSchemaText(string eventName, IEnumerable<KeyValuePair<string, JsonNode?>> fields) =>
        CanonicalJson.Serialize(BuildSchema(eventName, fields));
}
