namespace Loopy.Manifests;

/// <summary>A manifest file (<c>loopy compile</c> output); re-read only when its size or write time changed.</summary>
public sealed class FileManifestSource(string path) : IManifestSource
{
    private readonly string _path = Path.GetFullPath(path);
    private readonly Lock _lock = new();
    private (DateTime WriteTime, long Length, ManifestSnapshot Snapshot)? _cached;

    public string Description => _path;

    public async Task<ManifestSnapshot?> GetCurrentAsync(CancellationToken cancellationToken)
    {
        var info = new FileInfo(_path);
        if (!info.Exists)
        {
            return null;
        }

        lock (_lock)
        {
            if (_cached is { } cached && cached.WriteTime == info.LastWriteTimeUtc && cached.Length == info.Length)
            {
                return cached.Snapshot;
            }
        }

        var snapshot = ManifestSnapshot.Of(await File.ReadAllTextAsync(_path, cancellationToken).ConfigureAwait(false));
        lock (_lock)
        {
            _cached = (info.LastWriteTimeUtc, info.Length, snapshot);
        }

        return snapshot;
    }
}
