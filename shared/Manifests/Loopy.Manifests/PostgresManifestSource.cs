namespace Loopy.Manifests;

/// <summary>The version the Compiler service activated in Postgres.</summary>
public sealed class PostgresManifestSource(ManifestVersionStore store) : IManifestSource
{
    public string Description => $"postgres table {ManifestVersionStore.Table} (active version)";

    public Task<ManifestSnapshot?> GetCurrentAsync(CancellationToken cancellationToken) => store.GetActiveAsync(cancellationToken);
}
