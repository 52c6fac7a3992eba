using System.Text.Json;
using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>A sandbox: provider, image as authored, egress allowlist, env files, forwarded env names, repos.</summary>
public sealed record ManifestSandbox
{
    [JsonPropertyName("provider")]
    public required string Provider { get; init; }

    /// <summary>As authored: a string (a base image) or a mapping; <c>{}</c> when absent.</summary>
    [JsonPropertyName("image")]
    public JsonElement Image { get; init; }

    [JsonPropertyName("network")]
    public IReadOnlyList<string> Network { get; init; } = [];

    [JsonPropertyName("env_file")]
    public IReadOnlyList<string> EnvFile { get; init; } = [];

    [JsonPropertyName("env")]
    public IReadOnlyList<string> Env { get; init; } = [];

    [JsonPropertyName("repos")]
    public IReadOnlyList<ManifestRepo> Repos { get; init; } = [];
}
