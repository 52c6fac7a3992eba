using System.Collections.Concurrent;
using Loopy.Contracts.Manifest;
using Loopy.Contracts.Messages;
using Microsoft.Extensions.Logging;

namespace Loopy.Bus.InProcess;

/// <summary>
/// The standalone bus: one bounded queue per workflow inside this process, with the same semantics
/// as the brokers (fan-out per workflow, competing consumers, redelivery, dead letter). Not durable
/// across a process restart, which is what standalone means.
/// </summary>
internal sealed class InProcessEventBus(BusOptions options, TimeProvider timeProvider, ILogger<InProcessEventBus> logger) : IEventBus
{
    internal const string Transport = "inprocess";

    private readonly ConcurrentDictionary<string, WorkflowQueue> _workflows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _routes = new(StringComparer.Ordinal);
    private readonly Lock _routesLock = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly PublishGate _gate = new(options, timeProvider);

    public Task PublishAsync(EventAccepted message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);

        // A full workflow queue makes the publisher wait, at most PublishTimeout (then 503, like a broker that is down).
        return _gate.PublishAsync(message, Transport, logger, async (stamped, token) =>
        {
            if (_routes.TryGetValue(stamped.EventName, out var workflows))
            {
                var payload = BusJson.Serialize(stamped);
                foreach (var workflow in workflows)
                {
                    await _workflows[workflow].EnqueueAsync(new Envelope(payload, 1), token);
                }
            }
        }, cancellationToken);
    }

    public Task<IAsyncDisposable> SubscribeAsync(BusSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var queue = Route(subscription.Workflow, subscription.EventNames);

        var consumer = new Consumer(this, queue, subscription, subscription.Concurrency ?? options.ConcurrencyPerSubscription);
        BusLog.Subscribed(logger, subscription.Workflow, subscription.EventNames.Count, Transport);
        return Task.FromResult<IAsyncDisposable>(consumer);
    }

    public Task ProvisionAsync(IReadOnlyCollection<EventRoute> routes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        foreach (var route in routes)
        {
            Route(route.Workflow, [route.EventName]);
        }

        return Task.CompletedTask;
    }

    private WorkflowQueue Route(string workflow, IReadOnlyCollection<string> eventNames)
    {
        var queue = _workflows.GetOrAdd(workflow, _ => new WorkflowQueue(options.InProcessCapacity));
        lock (_routesLock)
        {
            foreach (var eventName in eventNames)
            {
                var current = _routes.GetValueOrDefault(eventName, []);
                if (!current.Contains(workflow, StringComparer.Ordinal))
                {
                    _routes[eventName] = [.. current, workflow];
                }
            }
        }

        return queue;
    }

    public Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string workflow, int maxCount, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<DeadLetter> result = _workflows.TryGetValue(workflow, out var queue)
            ? [.. queue.DeadLetters.Take(maxCount)]
            : [];
        return Task.FromResult(result);
    }

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        _disposed.Dispose();
        _gate.Dispose();
        foreach (var queue in _workflows.Values)
        {
            queue.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private async Task HandleAsync(WorkflowQueue queue, BusSubscription subscription, Envelope envelope, CancellationToken stopping)
    {
        EventAccepted message;
        try
        {
            message = BusJson.Deserialize(envelope.Payload);
        }
        catch (System.Text.Json.JsonException ex)
        {
            queue.DeadLetter(new DeadLetter(
                new EventAccepted { EventId = "?", EventName = "?", Fields = default, Producer = "?", AcceptedAt = default },
                subscription.Workflow, envelope.Attempt, BusJson.DescribeFailure(ex)));
            return;
        }

        if (stopping.IsCancellationRequested)
        {
            // Read but never handed to the handler: not an attempt.
            queue.Requeue(envelope);
            return;
        }

        if (envelope.Attempt > options.MaxAttempts)
        {
            DeadLetter(queue, subscription.Workflow, message, envelope.Attempt - 1,
                $"Delivery limit of {options.MaxAttempts} reached: consumers stopped without acknowledging.");
            return;
        }

        var delivery = new BusDelivery(message, subscription.Workflow, envelope.Attempt);
        using var activity = BusTelemetry.StartProcess(delivery, Transport);
        try
        {
            await subscription.Handler(delivery, stopping);
            queue.Acknowledge();
            BusTelemetry.RecordHandled(Transport);
        }
        catch (Exception ex) when (stopping.IsCancellationRequested)
        {
            // The consumer went away mid-handle: like a dead consumer, the message goes back unacknowledged.
            BusLog.HandlerFailed(logger, ex, subscription.Workflow, message.EventName, message.EventId, envelope.Attempt);
            queue.Requeue(envelope with { Attempt = envelope.Attempt + 1 });
        }
        catch (Exception ex)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            BusTelemetry.RecordHandlerFailed(Transport);
            BusLog.HandlerFailed(logger, ex, subscription.Workflow, message.EventName, message.EventId, envelope.Attempt);
            if (envelope.Attempt >= options.MaxAttempts)
            {
                DeadLetter(queue, subscription.Workflow, message, envelope.Attempt, BusJson.DescribeFailure(ex));
                return;
            }

            try
            {
                await Task.Delay(options.RetryDelay, timeProvider, stopping);
            }
            catch (OperationCanceledException)
            {
                // Stopping: hand it back right away.
            }

            queue.Requeue(envelope with { Attempt = envelope.Attempt + 1 });
        }
    }

    private void DeadLetter(WorkflowQueue queue, string workflow, EventAccepted message, int attempts, string reason)
    {
        queue.DeadLetter(new DeadLetter(message, workflow, attempts, reason));
        BusTelemetry.RecordDeadLettered(Transport);
        BusLog.DeadLettered(logger, workflow, message.EventName, message.EventId, attempts);
    }

    private sealed record Envelope(byte[] Payload, int Attempt);

    /// <summary>
    /// A workflow's queue. <c>_slots</c> bounds the messages queued or in flight; a redelivery keeps
    /// the slot it already holds, so it never waits behind publishers.
    /// </summary>
    private sealed class WorkflowQueue(int capacity) : IDisposable
    {
        private readonly SemaphoreSlim _slots = new(capacity, capacity);
        private readonly System.Threading.Channels.Channel<Envelope> _channel =
            System.Threading.Channels.Channel.CreateBounded<Envelope>(capacity);
        private readonly ConcurrentQueue<DeadLetter> _deadLetters = new();

        public IEnumerable<DeadLetter> DeadLetters => _deadLetters;

        public System.Threading.Channels.ChannelReader<Envelope> Reader => _channel.Reader;

        public async Task EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            await _slots.WaitAsync(cancellationToken);
            Write(envelope);
        }

        public void Requeue(Envelope envelope) => Write(envelope);

        public void Acknowledge() => _slots.Release();

        public void DeadLetter(DeadLetter deadLetter)
        {
            _deadLetters.Enqueue(deadLetter);
            _slots.Release();
        }

        public void Dispose()
        {
            _channel.Writer.TryComplete();
            _slots.Dispose();
        }

        private void Write(Envelope envelope)
        {
            if (!_channel.Writer.TryWrite(envelope))
            {
                throw new InvalidOperationException("The in-process queue refused a message it had a slot for (the bus is disposed).");
            }
        }
    }

    private sealed class Consumer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        private readonly Task[] _workers;

        public Consumer(InProcessEventBus bus, WorkflowQueue queue, BusSubscription subscription, int concurrency)
        {
            _workers = new Task[Math.Max(1, concurrency)];
            var token = _stopping.Token;
            for (var i = 0; i < _workers.Length; i++)
            {
                _workers[i] = Task.Run(() => RunAsync(bus, queue, subscription, token), CancellationToken.None);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            await _stopping.CancelAsync();
            await Task.WhenAll(_workers);
            _stopping.Dispose();
        }

        private static async Task RunAsync(InProcessEventBus bus, WorkflowQueue queue, BusSubscription subscription, CancellationToken stopping)
        {
            try
            {
                while (await queue.Reader.WaitToReadAsync(stopping))
                {
                    if (queue.Reader.TryRead(out var envelope))
                    {
                        await bus.HandleAsync(queue, subscription, envelope, stopping);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Disposed.
            }
        }
    }
}
