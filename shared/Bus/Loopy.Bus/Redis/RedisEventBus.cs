using Loopy.Contracts.Manifest;
using Loopy.Contracts.Messages;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Loopy.Bus.Redis;

/// <summary>
/// Redis Streams: one stream per event name, one consumer group per workflow (created at <c>$</c>:
/// a new workflow starts with the events published after it subscribed), one consumer per
/// subscription. A consumer that dies leaves its entries pending; another consumer claims them with
/// XAUTOCLAIM after <see cref="BusOptions.ClaimIdleTime"/>. Attempts are counted in a hash per
/// workflow; after <see cref="BusOptions.MaxAttempts"/> the entry goes to the workflow's dead-letter
/// stream with the reason. Streams are trimmed (XTRIM MINID) only below the oldest entry that some
/// group has not yet read or acknowledged.
/// </summary>
internal sealed class RedisEventBus : IEventBus
{
    internal const string Transport = "redis";
    internal const string PayloadField = "m";

    private readonly ConfigurationOptions _configuration;
    private readonly BusOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RedisEventBus> _logger;
    private readonly PublishGate _gate;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ConnectionMultiplexer? _connection;

    public RedisEventBus(string connectionString, BusOptions options, TimeProvider timeProvider, ILogger<RedisEventBus> logger)
    {
        _configuration = ConfigurationOptions.Parse(connectionString);
        // StackExchange.Redis 3 speaks RESP3 by default, where XREADGROUP answers with a map.
        _configuration.Protocol = RedisProtocol.Resp2;
        _configuration.AbortOnConnectFail = false;
        // Never queue commands while disconnected: a publish must fail, not wait in a backlog.
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _configuration.ConnectTimeout = (int)options.PublishTimeout.TotalMilliseconds;
        _configuration.AsyncTimeout = Math.Max(1000, (int)options.PublishTimeout.TotalMilliseconds);
        _configuration.ClientName ??= "loopy-bus";
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _gate = new PublishGate(options, timeProvider);
    }

    internal string StreamKey(string eventName) => $"{_options.EntityPrefix}:event:{eventName}";

    internal string AttemptsKey(string workflow) => $"{_options.EntityPrefix}:attempts:{workflow}";

    internal string DeadLetterKey(string workflow) => $"{_options.EntityPrefix}:dead:{workflow}";

    public Task PublishAsync(EventAccepted message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _gate.PublishAsync(message, Transport, _logger, async (stamped, token) =>
        {
            var database = (await GetConnectionAsync(token)).GetDatabase();
            // With appendfsync always, the XADD reply means the entry is on disk.
            await database.StreamAddAsync(StreamKey(stamped.EventName), PayloadField, BusJson.Serialize(stamped));
        }, cancellationToken);
    }

    public async Task<IAsyncDisposable> SubscribeAsync(BusSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var connection = await GetConnectionAsync(cancellationToken);
        var database = connection.GetDatabase();
        foreach (var eventName in subscription.EventNames)
        {
            await EnsureGroupAsync(database, StreamKey(eventName), subscription.Workflow);
        }

        var consumer = new RedisConsumer(this, database, subscription, _options, _timeProvider, _logger);
        consumer.Start();
        BusLog.Subscribed(_logger, subscription.Workflow, subscription.EventNames.Count, Transport);
        return consumer;
    }

    public async Task ProvisionAsync(IReadOnlyCollection<EventRoute> routes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(routes);
        try
        {
            var database = (await GetConnectionAsync(cancellationToken)).GetDatabase();
            foreach (var route in routes)
            {
                // The group starts at "$" when created now: entries added from here on wait for the workflow.
                await EnsureGroupAsync(database, StreamKey(route.EventName), route.Workflow);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            throw new BusUnavailableException($"Redis is unavailable, the workflow groups were not created: {ex.GetType().Name}", ex);
        }
    }

    public async Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string workflow, int maxCount, CancellationToken cancellationToken = default)
    {
        var database = (await GetConnectionAsync(cancellationToken)).GetDatabase();
        var entries = await database.StreamRangeAsync(DeadLetterKey(workflow), count: maxCount);
        var result = new List<DeadLetter>(entries.Length);
        foreach (var entry in entries)
        {
            byte[]? payload = entry[PayloadField];
            var message = payload is null ? null : BusJson.Deserialize(payload);
            result.Add(new DeadLetter(
                message ?? new EventAccepted { EventId = "?", EventName = "?", Fields = default, Producer = "?", AcceptedAt = default },
                workflow,
                (int)entry["attempts"],
                entry["reason"].ToString()));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync();
        }

        _gate.Dispose();
        _connectLock.Dispose();
    }

    internal static async Task EnsureGroupAsync(IDatabase database, RedisKey stream, string group)
    {
        try
        {
            await database.StreamCreateConsumerGroupAsync(stream, group, StreamPosition.NewMessages, createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Already there: a workflow's group outlives its consumers.
        }
    }

    /// <summary>
    /// XTRIM MINID (exact) below the oldest entry some group still needs: its lowest pending entry, or
    /// the entry after its last-delivered id. A stream without groups is left alone.
    /// </summary>
    internal static async Task TrimAsync(IDatabase database, RedisKey stream)
    {
        var groups = await database.StreamGroupInfoAsync(stream);
        if (groups.Length == 0)
        {
            return;
        }

        StreamId? floor = null;
        foreach (var group in groups)
        {
            var needed = StreamId.Parse(group.LastDeliveredId);
            if (group.PendingMessageCount > 0)
            {
                var pending = await database.StreamPendingAsync(stream, group.Name);
                if (pending.PendingMessageCount > 0)
                {
                    needed = StreamId.Min(needed, StreamId.Parse(pending.LowestPendingMessageId.ToString()));
                }
            }

            floor = floor is null ? needed : StreamId.Min(floor.Value, needed);
        }

        if (floor is { IsZero: false } minimum)
        {
            await database.ExecuteAsync("XTRIM", stream, "MINID", minimum.ToString());
        }
    }

    /// <summary>Trims one event's stream now (the consumers do it every <see cref="BusOptions.TrimInterval"/>).</summary>
    internal async Task TrimAsync(string eventName) =>
        await TrimAsync((await GetConnectionAsync(CancellationToken.None)).GetDatabase(), StreamKey(eventName));

    /// <summary>How many entries one event's stream holds.</summary>
    internal async Task<long> StreamLengthAsync(string eventName) =>
        await (await GetConnectionAsync(CancellationToken.None)).GetDatabase().StreamLengthAsync(StreamKey(eventName));

    private async Task<ConnectionMultiplexer> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } connected)
        {
            return connected;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            _connection ??= await ConnectionMultiplexer.ConnectAsync(_configuration);
            return _connection;
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
