using Microsoft.Extensions.Options;

namespace Loopy.Receiver.Validation;

/// <summary>
/// The contracts of the active manifest, loaded from <see cref="ReceiverOptions.ManifestPath"/> and
/// reloaded when the file changes (checked at most once a second), so a recompiled project is picked
/// up without a restart. An event is validated against the version that was current when it arrived.
/// </summary>
public sealed class ManifestContracts(IOptions<ReceiverOptions> options, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EventContracts? _current;
    private DateTime _loadedWriteTime;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    /// <summary>The current contracts; throws <see cref="ManifestUnavailableException"/> when none can be loaded.</summary>
    public async Task<EventContracts> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_current is { } current && now - _checkedAt < RecheckInterval)
        {
            return current;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var path = Path.GetFullPath(options.Value.ManifestPath);
            _checkedAt = now;
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return _current ?? throw new ManifestUnavailableException($"no manifest at {path}: compile the project (loopy compile) or set {ReceiverOptions.SectionName}:ManifestPath");
            }

            if (_current is null || info.LastWriteTimeUtc != _loadedWriteTime)
            {
                try
                {
                    _current = await EventContracts.LoadAsync(path, cancellationToken);
                    _loadedWriteTime = info.LastWriteTimeUtc;
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException or InvalidOperationException or Newtonsoft.Json.JsonException)
                {
                    // A half-written or broken manifest keeps the previous version serving.
                    if (_current is null)
                    {
                        throw new ManifestUnavailableException($"the manifest at {path} cannot be read: {ex.Message}");
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
