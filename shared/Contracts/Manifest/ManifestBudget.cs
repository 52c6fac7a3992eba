using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>A step budget; only the authored keys are present.</summary>
public sealed record ManifestBudget
{
    /// <summary>Minutes per attempt.</summary>
    [JsonPropertyName("wall_clock")]
    public long? WallClock { get; init; }

    [JsonPropertyName("spend")]
    public ManifestSpend? Spend { get; init; }

    /// <summary>Days; recorded, not enforced.</summary>
    [JsonPropertyName("window")]
    public long? Window { get; init; }

    /// <summary>Days; recorded, not enforced.</summary>
    [JsonPropertyName("latency")]
    public long? Latency { get; init; }
}
