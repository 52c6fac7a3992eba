using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>A repository cloned into the sandbox before the agent starts; <c>Depth</c> null means a full clone.</summary>
public sealed record ManifestRepo
{
    [JsonPropertyName("url")]
    public required string Url { get; init; }

    [JsonPropertyName("ref")]
    public string? Ref { get; init; }

    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("depth")]
    public int? Depth { get; init; }
}
