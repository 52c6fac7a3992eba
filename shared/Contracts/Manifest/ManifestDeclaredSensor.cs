using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>The definition of a YAML sensor (§4.2).</summary>
public sealed record ManifestDeclaredSensor
{
    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonPropertyName("env")]
    public IReadOnlyList<string> Env { get; init; } = [];

    [JsonPropertyName("exec")]
    public IReadOnlyList<string>? Exec { get; init; }

    [JsonPropertyName("map")]
    public JsonElement? Map { get; init; }

    [JsonPropertyName("when")]
    public JsonElement? When { get; init; }

    [JsonPropertyName("verify")]
    public JsonElement? Verify { get; init; }

    [JsonPropertyName("timeout")]
    public string Timeout { get; init; } = "60s";
}
