using System.Collections.Concurrent;
using Loopy.Manifests;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Manifests;

/// <summary>
/// The manifest this replica serves (from its <see cref="IManifestSource"/>: the file at
/// <see cref="RuntimeOptions.ManifestPath"/>, or the version the Compiler service activated in Postgres), switched by
/// <see cref="RefreshAsync"/> when the source has a new version, and every version runs are pinned to, stored by hash
/// and loaded from the store on demand. A run keeps the version it started with.
/// </summary>
public sealed class ManifestCatalog(IOptions<RuntimeOptions> options, IManifestSource source, RuntimeStore store, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, ActiveManifest> _versions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private ActiveManifest? _active;
    private string? _sourceHash;

    /// <summary>The manifest new runs start on.</summary>
    public ActiveManifest Active => _active ?? throw new InvalidOperationException("the Runtime has not loaded its manifest yet");

    /// <summary>The folder exec commands run in and env files resolve against.</summary>
    public string ProjectRoot { get; private set; } = string.Empty;

    /// <summary>Loads the current version at start-up; throws when the source has none.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(options.Value.ManifestPath);
        ProjectRoot = Path.GetFullPath(options.Value.ProjectRoot is { Length: > 0 } root ? root : Path.GetDirectoryName(path)!);
        if (!await RefreshAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"no manifest at {source.Description}: compile the project (loopy compile) or start the Compiler service");
        }
    }

    /// <summary>Switches to the source's current version when it changed; true when it did.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = await source.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
            if (snapshot is null || snapshot.Hash == _sourceHash)
            {
                return false;
            }

            var manifest = ActiveManifest.Parse(snapshot.Json);
            await StoreAsync(manifest, snapshot.Json, cancellationToken).ConfigureAwait(false);
            _versions[manifest.Hash] = manifest;
            _active = manifest;
            _sourceHash = snapshot.Hash;
            return true;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task StoreAsync(ActiveManifest manifest, string json, CancellationToken cancellationToken)
    {
        try
        {
            await store.WriteAsync(async (db, ct) =>
            {
                if (!await db.Manifests.AnyAsync(m => m.Hash == manifest.Hash, ct).ConfigureAwait(false))
                {
                    db.Manifests.Add(new ManifestRecord { Hash = manifest.Hash, Json = json, StoredAt = time.GetUtcNow().ToUnixTimeMilliseconds() });
                    await db.SaveChangesAsync(ct).ConfigureAwait(false);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another replica stored the same version at the same moment: the row is there.
        }
    }

    /// <summary>The manifest version with <paramref name="hash"/>.</summary>
    public async Task<ActiveManifest> GetAsync(string hash, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue(hash, out var known))
        {
            return known;
        }

        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Manifests.AsNoTracking().SingleOrDefaultAsync(m => m.Hash == hash, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"manifest {hash} is not in the store");
        return _versions.GetOrAdd(hash, _ => ActiveManifest.Parse(record.Json));
    }

    public void Dispose() => _refresh.Dispose();
}
