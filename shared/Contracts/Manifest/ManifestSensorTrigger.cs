using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary><c>{"kind": "webhook", "path"}</c> or <c>{"kind": "poll", "interval"}</c>.</summary>
public sealed record ManifestSensorTrigger
{
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("interval")]
    public string? Interval { get; init; }
}
