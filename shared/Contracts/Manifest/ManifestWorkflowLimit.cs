using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>The cap of one workflow within one cascade.</summary>
public sealed record ManifestWorkflowLimit
{
    [JsonPropertyName("spend")]
    public ManifestSpend? Spend { get; init; }
}
