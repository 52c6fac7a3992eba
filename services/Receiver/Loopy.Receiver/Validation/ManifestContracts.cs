using Loopy.Manifests;

namespace Loopy.Receiver.Validation;

/// <summary>
/// The contracts of the active manifest, read from the <see cref="IManifestSource"/> (the file at
/// <see cref="ReceiverOptions.ManifestPath"/>, or the version the Compiler service activated in Postgres) and asked
/// again at most once per <see cref="ManifestSourceOptions.PollInterval"/>, so a new version is picked up without a
/// restart. An event is validated against the version that was current when it arrived; a version that cannot be
/// read keeps the previous one serving.
/// </summary>
public sealed class ManifestContracts(IManifestSource source, ManifestSourceOptions sourceOptions, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EventContracts? _current;
    private string? _loadedHash;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    /// <summary>The current contracts; throws <see cref="ManifestUnavailableException"/> when none can be loaded.</summary>
    public async Task<EventContracts> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_current is { } current && now - _checkedAt < sourceOptions.PollInterval)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            _checkedAt = now;
            ManifestSnapshot? snapshot;
            try
            {
                snapshot = await source.GetCurrentAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or System.Data.Common.DbException or TimeoutException)
            {
                return _current ?? throw new ManifestUnavailableException($"the manifest cannot be read from {source.Description}: {ex.Message}");
            }

            if (snapshot is null)
            {
                return _current ?? throw new ManifestUnavailableException($"no manifest at {source.Description}: compile the project (loopy compile), start the Compiler service, or set {ReceiverOptions.SectionName}:ManifestPath");
            }

            if (_current is null || snapshot.Hash != _loadedHash)
            {
                try
                {
                    _current = await EventContracts.FromManifestAsync(System.Text.Encoding.UTF8.GetBytes(snapshot.Json), cancellationToken);
                    _loadedHash = snapshot.Hash;
                }
                catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException or InvalidOperationException or Newtonsoft.Json.JsonException)
                {
                    // A half-written or broken manifest keeps the previous version serving.
                    if (_current is null)
                    {
                        throw new ManifestUnavailableException($"the manifest at {source.Description} cannot be read: {ex.Message}");
                    }
                }
            }

            return _current;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
