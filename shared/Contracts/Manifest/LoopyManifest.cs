using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>A compiled Loopy project (AUTHORING.md §7), as services read it from <c>manifest.json</c>.</summary>
public sealed record LoopyManifest
{
    [JsonPropertyName("schema_version")]
    public required string SchemaVersion { get; init; }

    [JsonPropertyName("registry")]
    public required ManifestRegistry Registry { get; init; }

    [JsonPropertyName("workflows")]
    public IReadOnlyDictionary<string, ManifestWorkflow> Workflows { get; init; } = new Dictionary<string, ManifestWorkflow>();

    [JsonPropertyName("sensors")]
    public IReadOnlyList<ManifestSensor> Sensors { get; init; } = [];

    [JsonPropertyName("lineage")]
    public ManifestLineage Lineage { get; init; } = new();

    [JsonPropertyName("compiled_at")]
    public string? CompiledAt { get; init; }

    [JsonPropertyName("loopy_version")]
    public string? LoopyVersion { get; init; }
}
