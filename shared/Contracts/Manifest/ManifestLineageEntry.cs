using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>Sorted producers (sensor names, <c>builtin:&lt;E&gt;</c>, emitting step ids) and consumers (entry step ids).</summary>
public sealed record ManifestLineageEntry
{
    [JsonPropertyName("producers")]
    public IReadOnlyList<string> Producers { get; init; } = [];

    [JsonPropertyName("consumers")]
    public IReadOnlyList<string> Consumers { get; init; } = [];
}
