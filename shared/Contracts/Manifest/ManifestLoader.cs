using System.Text.Json;

namespace Loopy.Contracts.Manifest;

/// <summary>Reads <c>manifest.json</c> into <see cref="LoopyManifest"/>; refuses any <c>schema_version</c> but "2".</summary>
public static class ManifestLoader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Parses manifest text.</summary>
    public static LoopyManifest Load(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            CheckVersion(document.RootElement);
            return document.RootElement.Deserialize<LoopyManifest>(Options)
                ?? throw new ManifestFormatException("manifest is null");
        }
        catch (JsonException ex)
        {
            throw new ManifestFormatException($"manifest is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Reads and parses a manifest stream.</summary>
    public static async Task<LoopyManifest> LoadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            CheckVersion(document.RootElement);
            return document.RootElement.Deserialize<LoopyManifest>(Options)
                ?? throw new ManifestFormatException("manifest is null");
        }
        catch (JsonException ex)
        {
            throw new ManifestFormatException($"manifest is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Reads and parses the manifest file at <paramref name="path"/>.</summary>
    public static async Task<LoopyManifest> LoadFileAsync(string path, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return await LoadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void CheckVersion(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ManifestFormatException("manifest must be a JSON object");
        }

        var version = root.TryGetProperty("schema_version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (version != ContractsInfo.ManifestSchemaVersion)
        {
            throw new ManifestFormatException(
                $"manifest schema_version '{version ?? "(missing)"}' is not supported; this runtime reads schema_version '{ContractsInfo.ManifestSchemaVersion}'");
        }
    }
}
