namespace Loopy.Manifests;

/// <summary>
/// Where a service reads the manifest version new work starts on. Services ask it again every
/// <see cref="ManifestSourceOptions.PollInterval"/> and switch when the hash changes, without a restart.
/// </summary>
public interface IManifestSource
{
    /// <summary>For messages: the file path or the Postgres table.</summary>
    string Description { get; }

    /// <summary>The current version, or null when there is none yet (no file, nothing compiled).</summary>
    Task<ManifestSnapshot?> GetCurrentAsync(CancellationToken cancellationToken);
}
