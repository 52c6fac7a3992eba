using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>One step: trigger (entry only) or <c>after</c>, agent, typed output, emits and their rules, budget, prompt body and its template refs.</summary>
public sealed record ManifestStep
{
    /// <summary><c>&lt;workflow&gt;/&lt;step&gt;</c>.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("trigger")]
    public ManifestTrigger? Trigger { get; init; }

    [JsonPropertyName("after")]
    public IReadOnlyList<string> After { get; init; } = [];

    [JsonPropertyName("agent")]
    public string? Agent { get; init; }

    /// <summary>Output key → JSON Schema.</summary>
    [JsonPropertyName("output")]
    public IReadOnlyDictionary<string, JsonElement> Output { get; init; } = new Dictionary<string, JsonElement>();

    [JsonPropertyName("emits")]
    public IReadOnlyList<string> Emits { get; init; } = [];

    /// <summary>Per emitted event: JSON null (the agent decides), the string <c>"always"</c>, or an object output key → value.</summary>
    [JsonPropertyName("emit_when")]
    public IReadOnlyDictionary<string, JsonElement> EmitWhen { get; init; } = new Dictionary<string, JsonElement>();

    [JsonPropertyName("budget")]
    public ManifestBudget? Budget { get; init; }

    [JsonPropertyName("body")]
    public string Body { get; init; } = string.Empty;

    [JsonPropertyName("refs")]
    public IReadOnlyList<ManifestRef> Refs { get; init; } = [];
}
