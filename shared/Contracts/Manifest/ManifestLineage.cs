using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>Who produces and who consumes each registered event.</summary>
public sealed record ManifestLineage
{
    [JsonPropertyName("events")]
    public IReadOnlyDictionary<string, ManifestLineageEntry> Events { get; init; } = new Dictionary<string, ManifestLineageEntry>();
}
