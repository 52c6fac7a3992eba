using Loopy.Bus;
using Loopy.Receiver.Validation;

namespace Loopy.Receiver.Ingress;

/// <summary>
/// Provisions the bus topology of each manifest version once, before the first event published under it, so an
/// event for a workflow no Runtime has subscribed to yet waits in that workflow's queue instead of being dropped.
/// </summary>
public sealed class BusTopology(IEventBus bus) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _provisioned;

    /// <summary>Throws <see cref="BusUnavailableException"/> when the broker cannot be reached in time.</summary>
    public async Task EnsureAsync(EventContracts contracts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        if (Volatile.Read(ref _provisioned) == contracts.ManifestHash)
        {
            return;
        }

        try
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                if (_provisioned != contracts.ManifestHash)
                {
                    await bus.ProvisionAsync(contracts.Routes, cancellationToken);
                    Volatile.Write(ref _provisioned, contracts.ManifestHash);
                }
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (OperationCanceledException ex)
        {
            throw new BusUnavailableException("the bus topology was not provisioned in time", ex);
        }
    }

    public void Dispose() => _gate.Dispose();
}
