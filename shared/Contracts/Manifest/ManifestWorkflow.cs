using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>A workflow: the local name of its entry step and its steps by local name.</summary>
public sealed record ManifestWorkflow
{
    [JsonPropertyName("entry")]
    public required string Entry { get; init; }

    [JsonPropertyName("steps")]
    public IReadOnlyDictionary<string, ManifestStep> Steps { get; init; } = new Dictionary<string, ManifestStep>();
}
