using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>Spend caps: per cascade and per (cascade, workflow).</summary>
public sealed record ManifestLimits
{
    [JsonPropertyName("cascade_spend")]
    public ManifestSpend? CascadeSpend { get; init; }

    [JsonPropertyName("workflows")]
    public IReadOnlyDictionary<string, ManifestWorkflowLimit>? Workflows { get; init; }
}
