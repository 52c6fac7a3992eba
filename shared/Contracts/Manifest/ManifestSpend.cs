using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>An amount in US dollars.</summary>
public sealed record ManifestSpend
{
    [JsonPropertyName("usd")]
    public double Usd { get; init; }
}
