using System.Collections.Concurrent;
using Loopy.Contracts.Messages;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Loopy.Bus.Redis;

/// <summary>
/// One consumer of a workflow's group on each of its streams: reads new entries, claims entries left
/// idle by dead consumers, handles them with bounded concurrency, and trims the streams now and then.
/// </summary>
internal sealed class RedisConsumer : IAsyncDisposable
{
    private readonly RedisEventBus _bus;
    private readonly IDatabase _database;
    private readonly BusSubscription _subscription;
    private readonly BusOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly RedisKey[] _streams;
    private readonly string _consumerName = $"{Environment.MachineName}-{Guid.NewGuid():N}";
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly int _concurrency;
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private long _nextTaskId;
    private readonly System.Threading.Channels.Channel<PendingAck> _acks = System.Threading.Channels.Channel.CreateUnbounded<PendingAck>();
    private Task _loop = Task.CompletedTask;
    private Task _ackLoop = Task.CompletedTask;

    public RedisConsumer(RedisEventBus bus, IDatabase database, BusSubscription subscription, BusOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _bus = bus;
        _database = database;
        _subscription = subscription;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _streams = [.. subscription.EventNames.Distinct(StringComparer.Ordinal).Select(name => (RedisKey)bus.StreamKey(name))];
        _concurrency = Math.Max(1, subscription.Concurrency ?? options.ConcurrencyPerSubscription);
        _slots = new SemaphoreSlim(_concurrency, _concurrency);
    }

    private string Group => _subscription.Workflow;

    public void Start()
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        _ackLoop = Task.Run(AcknowledgeLoopAsync, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loop;
        await Task.WhenAll(_inFlight.Values);
        _acks.Writer.TryComplete();
        await _ackLoop;
        _stopping.Dispose();
        _slots.Dispose();
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var idleDelay = TimeSpan.Zero;
        var claimEvery = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _options.ClaimIdleTime.Ticks / 2));
        var nextClaim = _timeProvider.GetTimestamp();
        var nextTrim = _timeProvider.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            // Slots taken for this round and not yet handed to a dispatched entry; given back in finally.
            var held = 0;
            try
            {
                await _slots.WaitAsync(stopping);
                held = 1;
                while (held < _concurrency && _slots.Wait(0))
                {
                    held++;
                }

                var batch = new List<(RedisKey Stream, StreamEntry Entry, bool Fresh)>();
                if (_timeProvider.GetElapsedTime(nextClaim) >= TimeSpan.Zero)
                {
                    await ClaimAsync(batch, held);
                    nextClaim = _timeProvider.GetTimestamp() + (long)(claimEvery.TotalSeconds * _timeProvider.TimestampFrequency);
                }

                if (batch.Count < held)
                {
                    var positions = _streams.Select(stream => new StreamPosition(stream, StreamPosition.NewMessages)).ToArray();
                    var read = await _database.StreamReadGroupAsync(positions, Group, _consumerName, countPerStream: held - batch.Count);
                    foreach (var stream in read)
                    {
                        batch.AddRange(stream.Entries.Select(entry => (stream.Key, entry, true)));
                    }
                }

                foreach (var (stream, entry, fresh) in batch)
                {
                    if (held == 0)
                    {
                        // More than one stream answered: these entries are ours now, handle them too.
                        await _slots.WaitAsync(CancellationToken.None);
                        held++;
                    }

                    Dispatch(stream, entry, fresh);
                    held--;
                }

                if (held > 0)
                {
                    _slots.Release(held);
                    held = 0;
                }

                if (batch.Count == 0)
                {
                    idleDelay = TimeSpan.FromTicks(Math.Min(_options.PollInterval.Ticks, Math.Max(TimeSpan.FromMilliseconds(1).Ticks, idleDelay.Ticks * 2)));
                    await Task.Delay(idleDelay, _timeProvider, stopping);
                }
                else
                {
                    idleDelay = TimeSpan.Zero;
                }

                if (_timeProvider.GetElapsedTime(nextTrim) >= TimeSpan.Zero)
                {
                    await TrimAsync();
                    nextTrim = _timeProvider.GetTimestamp() + (long)(_options.TrimInterval.TotalSeconds * _timeProvider.TimestampFrequency);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                BusLog.ConsumerReadFailed(_logger, ex, _subscription.Workflow);
                if (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
                {
                    await RecreateGroupsAsync();
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), _timeProvider, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                if (held > 0)
                {
                    _slots.Release(held);
                }
            }
        }
    }

    private async Task RecreateGroupsAsync()
    {
        foreach (var stream in _streams)
        {
            try
            {
                await RedisEventBus.EnsureGroupAsync(_database, stream, Group);
            }
            catch (RedisException ex)
            {
                BusLog.ConsumerReadFailed(_logger, ex, _subscription.Workflow);
            }
        }
    }

    private void Dispatch(RedisKey stream, StreamEntry entry, bool fresh)
    {
        var id = Interlocked.Increment(ref _nextTaskId);
        var task = Task.Run(async () =>
        {
            try
            {
                await ProcessAsync(stream, entry, fresh);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
            {
                // Not acknowledged: the entry stays pending and is claimed again after the idle time.
                BusLog.ConsumerReadFailed(_logger, ex, _subscription.Workflow);
            }
            finally
            {
                _slots.Release();
                _inFlight.TryRemove(id, out _);
            }
        });
        _inFlight[id] = task;
    }

    private async Task ClaimAsync(List<(RedisKey Stream, StreamEntry Entry, bool Fresh)> batch, int max)
    {
        var idleMs = (long)_options.ClaimIdleTime.TotalMilliseconds;
        foreach (var stream in _streams)
        {
            if (batch.Count >= max)
            {
                break;
            }

            var claimed = await _database.StreamAutoClaimAsync(stream, Group, _consumerName, idleMs, "0-0", max - batch.Count);
            foreach (var deleted in claimed.DeletedIds)
            {
                // Trimmed away while pending (only possible if someone else trimmed): nothing left to deliver.
                await _database.StreamAcknowledgeAsync(stream, Group, deleted);
            }

            batch.AddRange(claimed.ClaimedEntries.Where(entry => !entry.IsNull).Select(entry => (stream, entry, false)));
            if (claimed.ClaimedEntries.Length > 0)
            {
                BusLog.Claimed(_logger, _subscription.Workflow, claimed.ClaimedEntries.Length);
            }
        }
    }

    /// <summary>
    /// Handles one entry until it is acknowledged, dead-lettered, or left pending (stopping).
    /// Attempts: a fresh entry (read with <c>&gt;</c>) is attempt 1 and costs no write; failures are
    /// counted in the workflow's attempts hash; a claimed entry adds the deliveries Redis counted
    /// (each claim is one consumer that stopped without acknowledging).
    /// </summary>
    private async Task ProcessAsync(RedisKey stream, StreamEntry entry, bool fresh)
    {
        var stopping = _stopping.Token;
        var attemptsKey = _bus.AttemptsKey(_subscription.Workflow);
        var field = $"{stream}|{entry.Id}";
        var counted = !fresh;
        using var heartbeatStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var heartbeat = HeartbeatAsync(stream, entry.Id, heartbeatStop.Token);
        try
        {
            EventAccepted message;
            try
            {
                byte[]? payload = entry[RedisEventBus.PayloadField];
                message = BusJson.Deserialize(payload);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentNullException)
            {
                await DeadLetterAsync(stream, entry, null, 1, BusJson.DescribeFailure(ex));
                return;
            }

            var attempt = fresh ? 1 : await ClaimedAttemptAsync(stream, entry.Id, attemptsKey, field);
            while (true)
            {
                if (attempt > _options.MaxAttempts)
                {
                    await DeadLetterAsync(stream, entry, message, attempt - 1,
                        $"Delivery limit of {_options.MaxAttempts} reached: consumers stopped without acknowledging.");
                    return;
                }

                var delivery = new BusDelivery(message, _subscription.Workflow, attempt);
                using (var activity = BusTelemetry.StartProcess(delivery, RedisEventBus.Transport))
                {
                    try
                    {
                        await _subscription.Handler(delivery, stopping);
                    }
                    catch (Exception ex) when (stopping.IsCancellationRequested)
                    {
                        // The consumer stops mid-handle: leave the entry pending for another consumer to claim.
                        BusLog.HandlerFailed(_logger, ex, _subscription.Workflow, message.EventName, message.EventId, attempt);
                        return;
                    }
                    catch (Exception ex) when (ex is not RedisException)
                    {
                        activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
                        BusTelemetry.RecordHandlerFailed(RedisEventBus.Transport);
                        BusLog.HandlerFailed(_logger, ex, _subscription.Workflow, message.EventName, message.EventId, attempt);
                        if (attempt >= _options.MaxAttempts)
                        {
                            await DeadLetterAsync(stream, entry, message, attempt, BusJson.DescribeFailure(ex));
                            return;
                        }

                        await _database.HashIncrementAsync(attemptsKey, field);
                        counted = true;
                        await Task.Delay(_options.RetryDelay, _timeProvider, stopping);
                        attempt++;
                        continue;
                    }
                }

                var acknowledged = new PendingAck(stream, entry.Id, counted ? field : null);
                await _acks.Writer.WriteAsync(acknowledged, CancellationToken.None);
                await acknowledged.Done.Task;
                BusTelemetry.RecordHandled(RedisEventBus.Transport);
                return;
            }
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }
    }

    /// <summary>Failed attempts so far plus consumers that stopped mid-handle (deliveries before this one), plus this one.</summary>
    private async Task<int> ClaimedAttemptAsync(RedisKey stream, RedisValue id, RedisKey attemptsKey, string field)
    {
        var failures = await _database.HashGetAsync(attemptsKey, field);
        var pending = await _database.StreamPendingMessagesAsync(stream, Group, 1, RedisValue.Null, id, id);
        var deliveries = pending.Length > 0 ? pending[0].DeliveryCount : 1;
        return (int)(failures.HasValue ? (long)failures : 0) + Math.Max(0, deliveries - 1) + 1;
    }

    /// <summary>Acknowledges handled entries in batches: one XACK per stream (and one HDEL) for many entries.</summary>
    private async Task AcknowledgeLoopAsync()
    {
        var attemptsKey = _bus.AttemptsKey(_subscription.Workflow);
        var batch = new List<PendingAck>();
        while (await _acks.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < 1024 && _acks.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var writes = batch.GroupBy(ack => ack.Stream)
                    .Select(group => (Task)_database.StreamAcknowledgeAsync(group.Key, Group, [.. group.Select(ack => ack.Id)]))
                    .ToList();
                RedisValue[] counters = [.. batch.Where(ack => ack.AttemptsField is not null).Select(ack => (RedisValue)ack.AttemptsField)];
                if (counters.Length > 0)
                {
                    writes.Add(_database.HashDeleteAsync(attemptsKey, counters));
                }

                await Task.WhenAll(writes);
                batch.ForEach(ack => ack.Done.TrySetResult());
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                batch.ForEach(ack => ack.Done.TrySetException(ex));
            }
        }
    }

    private sealed record PendingAck(RedisKey Stream, RedisValue Id, string? AttemptsField)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task DeadLetterAsync(RedisKey stream, StreamEntry entry, EventAccepted? message, int attempts, string reason)
    {
        var transaction = _database.CreateTransaction();
        var added = transaction.StreamAddAsync(_bus.DeadLetterKey(_subscription.Workflow),
        [
            new NameValueEntry(RedisEventBus.PayloadField, entry[RedisEventBus.PayloadField]),
            new NameValueEntry("attempts", attempts),
            new NameValueEntry("reason", reason),
            new NameValueEntry("stream", stream.ToString()),
            new NameValueEntry("id", entry.Id),
        ]);
        var acknowledged = transaction.StreamAcknowledgeAsync(stream, Group, entry.Id);
        var forgotten = transaction.HashDeleteAsync(_bus.AttemptsKey(_subscription.Workflow), $"{stream}|{entry.Id}");
        await transaction.ExecuteAsync();
        await Task.WhenAll(added, acknowledged, forgotten);
        BusTelemetry.RecordDeadLettered(RedisEventBus.Transport);
        BusLog.DeadLettered(_logger, _subscription.Workflow, message?.EventName ?? "?", message?.EventId ?? "?", attempts);
    }

    /// <summary>Keeps a long-running entry from looking idle, so no one claims it while we still work on it.</summary>
    private async Task HeartbeatAsync(RedisKey stream, RedisValue id, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(50).Ticks, _options.ClaimIdleTime.Ticks / 3));
        using var timer = new PeriodicTimer(period, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await _database.StreamClaimIdsOnlyAsync(stream, Group, _consumerName, 0, [id]);
            }
        }
        catch (OperationCanceledException)
        {
            // Done with the entry.
        }
        catch (RedisException ex)
        {
            BusLog.ConsumerReadFailed(_logger, ex, _subscription.Workflow);
        }
    }

    private async Task TrimAsync()
    {
        foreach (var stream in _streams)
        {
            try
            {
                await RedisEventBus.TrimAsync(_database, stream);
            }
            catch (RedisException ex)
            {
                BusLog.TrimFailed(_logger, ex, stream.ToString());
            }
        }
    }
}
