using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>A sensor: <c>source</c> is <c>module</c> (Python), <c>builtin</c> (vendor webhook) or <c>declared</c> (YAML).</summary>
public sealed record ManifestSensor
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("emits")]
    public required string Emits { get; init; }

    [JsonPropertyName("source")]
    public required string Source { get; init; }

    [JsonPropertyName("module")]
    public string? Module { get; init; }

    [JsonPropertyName("fn")]
    public string? Fn { get; init; }

    [JsonPropertyName("provider")]
    public string? Provider { get; init; }

    [JsonPropertyName("trigger")]
    public required ManifestSensorTrigger Trigger { get; init; }

    [JsonPropertyName("declared")]
    public ManifestDeclaredSensor? Declared { get; init; }
}
