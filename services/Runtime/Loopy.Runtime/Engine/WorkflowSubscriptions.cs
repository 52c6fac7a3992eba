using Loopy.Bus;
using Loopy.Contracts.Manifest;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// This replica's bus consumers: one competing consumer per (event-triggered workflow, event). A new manifest
/// version adds consumers for its new routes; routes it dropped keep their consumer, whose deliveries
/// <see cref="RunIntake"/> then acknowledges without starting a run.
/// </summary>
public sealed class WorkflowSubscriptions(IEventBus bus, RunIntake intake, IOptions<RuntimeOptions> options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<EventRoute, IAsyncDisposable> _handles = [];

    /// <summary>Subscribes every route of <paramref name="manifest"/> not subscribed yet; returns how many routes it has.</summary>
    public async Task<int> EnsureAsync(LoopyManifest manifest, CancellationToken cancellationToken)
    {
        var routes = EventRoute.Of(manifest);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var route in routes.Where(r => !_handles.ContainsKey(r)))
            {
                var subscription = new BusSubscription(route.Workflow, [route.EventName], (delivery, ct) => intake.HandleAsync(delivery, ct))
                {
                    Concurrency = Math.Max(1, options.Value.MaxConcurrentSteps),
                };
                _handles[route] = await bus.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        return routes.Count;
    }

    /// <summary>Stops every consumer (a delivery in flight goes to another replica); safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        IAsyncDisposable[] handles;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            handles = [.. _handles.Values];
            _handles.Clear();
        }
        finally
        {
            _gate.Release();
        }

        foreach (var handle in handles)
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
    }
}
