using Loopy.Contracts.Messages;
using Microsoft.Extensions.Logging;

namespace Loopy.Bus;

/// <summary>
/// Bounds publishes in flight and gives each one <see cref="BusOptions.PublishTimeout"/> once it holds
/// a slot, so a publish to a broker that is down fails fast instead of hanging or being buffered.
/// </summary>
internal sealed class PublishGate(BusOptions options, TimeProvider timeProvider) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.MaxInFlightPublishes));

    public async Task RunAsync(Func<CancellationToken, Task> publish, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            using var timeout = new CancellationTokenSource(options.PublishTimeout, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                // WaitAsync is the backstop for a client that ignores its token while reconnecting.
                await publish(linked.Token).WaitAsync(options.PublishTimeout, timeProvider, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not BusUnavailableException)
            {
                throw new BusUnavailableException(
                    $"The broker did not durably accept the message (waited at most {options.PublishTimeout.TotalMilliseconds:0} ms): {ex.GetType().Name}", ex);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Publishes through <paramref name="send"/> inside the gate, with what every transport records: a producer
    /// span that stamps the trace context onto the message, the published/failed counters and the failure log.
    /// </summary>
    public async Task PublishAsync(
        EventAccepted message, string transport, ILogger logger, Func<EventAccepted, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        var (activity, stamped) = BusTelemetry.StartPublish(message, transport);
        using (activity)
        {
            try
            {
                await RunAsync(token => send(stamped, token), cancellationToken);
                BusTelemetry.RecordPublished(transport);
            }
            catch (BusUnavailableException ex)
            {
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "not confirmed");
                BusTelemetry.RecordPublishFailed(transport);
                BusLog.PublishFailed(logger, ex, stamped.EventName, stamped.EventId);
                throw;
            }
        }
    }

    public void Dispose() => _slots.Dispose();
}
