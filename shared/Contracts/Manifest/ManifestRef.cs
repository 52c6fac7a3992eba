using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>One <c>{{ producer.field }}</c> occurrence in a step body; <c>Raw</c> is the exact matched text.</summary>
public sealed record ManifestRef
{
    [JsonPropertyName("producer")]
    public required string Producer { get; init; }

    [JsonPropertyName("field")]
    public required string Field { get; init; }

    [JsonPropertyName("raw")]
    public required string Raw { get; init; }
}
