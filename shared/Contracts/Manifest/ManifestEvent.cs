using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>An event contract: each field maps to a JSON Schema; <c>Builtin</c> marks vendor events (§4.5).</summary>
public sealed record ManifestEvent
{
    [JsonPropertyName("builtin")]
    public bool Builtin { get; init; }

    [JsonPropertyName("fields")]
    public IReadOnlyDictionary<string, JsonElement> Fields { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>The JSON Schema of a whole <c>POST /events</c> body for this event, as <c>contract/&lt;name&gt;.schema.json</c> holds it.</summary>
    public JsonObject ToContractSchema(string name) =>
        EventContract.BuildSchema(name, Fields.Select(f => new KeyValuePair<string, JsonNode?>(f.Key, JsonNode.Parse(f.Value.GetRawText()))));
}
