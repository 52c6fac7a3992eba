using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>The resolved registry: sandboxes, agents (defaults applied), events and optional limits.</summary>
public sealed record ManifestRegistry
{
    [JsonPropertyName("sandboxes")]
    public IReadOnlyDictionary<string, ManifestSandbox> Sandboxes { get; init; } = new Dictionary<string, ManifestSandbox>();

    [JsonPropertyName("agents")]
    public IReadOnlyDictionary<string, ManifestAgent> Agents { get; init; } = new Dictionary<string, ManifestAgent>();

    [JsonPropertyName("events")]
    public IReadOnlyDictionary<string, ManifestEvent> Events { get; init; } = new Dictionary<string, ManifestEvent>();

    [JsonPropertyName("limits")]
    public ManifestLimits? Limits { get; init; }
}
