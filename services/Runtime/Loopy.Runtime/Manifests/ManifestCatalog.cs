using System.Collections.Concurrent;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Manifests;

/// <summary>
/// The manifest this replica serves (read from <see cref="RuntimeOptions.ManifestPath"/> at start-up and
/// stored by hash) and every version runs are pinned to, loaded from the store on demand.
/// </summary>
public sealed class ManifestCatalog(IOptions<RuntimeOptions> options, RuntimeStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ActiveManifest> _versions = new(StringComparer.Ordinal);
    private ActiveManifest? _active;

    /// <summary>The manifest new runs start on.</summary>
    public ActiveManifest Active => _active ?? throw new InvalidOperationException("the Runtime has not loaded its manifest yet");

    /// <summary>The folder exec commands run in and env files resolve against.</summary>
    public string ProjectRoot { get; private set; } = string.Empty;

    /// <summary>Loads the manifest file and records its version in the store.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(options.Value.ManifestPath);
        var json = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        var manifest = ActiveManifest.Parse(json);
        ProjectRoot = Path.GetFullPath(options.Value.ProjectRoot is { Length: > 0 } root ? root : Path.GetDirectoryName(path)!);
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
        _versions[manifest.Hash] = manifest;
        _active = manifest;
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
}
