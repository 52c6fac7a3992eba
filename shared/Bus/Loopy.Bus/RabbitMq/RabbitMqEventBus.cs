using System.Text;
using System.Text.Json;
using Loopy.Contracts.Manifest;
using Loopy.Contracts.Messages;
using MassTransit;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Loopy.Bus.RabbitMq;

/// <summary>
/// RabbitMQ through MassTransit 8: one durable fanout exchange per event name, one quorum queue per
/// workflow bound to the exchanges of the events it subscribes to, publisher confirms, in-memory
/// retries up to <see cref="BusOptions.MaxAttempts"/> then MassTransit's <c>_error</c> queue as the
/// dead letter; the queue's <c>x-delivery-limit</c> (broker-side, dead-lettering to the same
/// <c>_error</c> exchange) ends a loop of consumers that die mid-handle.
/// </summary>
internal sealed class RabbitMqEventBus : IEventBus
{
    internal const string Transport = "rabbitmq";

    private readonly RabbitMqEndpoint _endpoint;
    private readonly BusOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<RabbitMqEventBus> _logger;
    private readonly PublishGate _gate;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    // One MassTransit bus (one connection) per set of subscriptions with distinct queues: MassTransit
    // allows one receive endpoint per queue and bus, and a second consumer of a workflow in the same
    // process (a test, or more concurrency) gets a bus of its own, like another replica would.
    private readonly List<(IBusControl Bus, HashSet<string> Queues)> _buses = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<ISendEndpoint>> _sendEndpoints = new(StringComparer.Ordinal);
    private IConnection? _adminConnection;

    public RabbitMqEventBus(string connectionString, BusOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _endpoint = RabbitMqEndpoint.Parse(connectionString);
        _options = options;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<RabbitMqEventBus>();
        _gate = new PublishGate(options, timeProvider);
    }

    internal string ExchangeName(string eventName) => $"{_options.EntityPrefix}.event.{eventName}";

    internal string QueueName(string workflow) => $"{_options.EntityPrefix}.workflow.{workflow}";

    public Task PublishAsync(EventAccepted message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _gate.PublishAsync(message, Transport, _logger, async (stamped, token) =>
        {
            var endpoint = await GetSendEndpointAsync(stamped.EventName, token);
            await endpoint.Send(stamped, context => context.Durable = true, token);
        }, cancellationToken);
    }

    public async Task<IAsyncDisposable> SubscribeAsync(BusSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        var queue = QueueName(subscription.Workflow);
        await DeclareDeadLetterRouteAsync(queue, cancellationToken);
        var bus = await GetBusAsync(queue, cancellationToken);

        var concurrency = subscription.Concurrency ?? _options.ConcurrencyPerSubscription;
        var consumer = new RabbitMqSubscription(subscription, _options, _logger);
        var handle = bus.ConnectReceiveEndpoint(queue, configurator =>
        {
            var endpoint = (IRabbitMqReceiveEndpointConfigurator)configurator;
            endpoint.ConfigureConsumeTopology = false;
            endpoint.SetQuorumQueue();
            // Returned deliveries allowed before the broker dead-letters: the R-th delivery is the last.
            endpoint.SetQueueArgument("x-delivery-limit", Math.Max(0, _options.MaxAttempts - 1));
            endpoint.SetQueueArgument("x-dead-letter-exchange", queue + "_error");
            endpoint.PrefetchCount = (ushort)Math.Clamp(concurrency * 2, 1, ushort.MaxValue);
            endpoint.ConcurrentMessageLimit = concurrency;
            foreach (var eventName in subscription.EventNames)
            {
                endpoint.Bind(ExchangeName(eventName), binding => binding.ExchangeType = ExchangeType.Fanout);
            }

            endpoint.ConfigureError(error =>
            {
                // A consumer that stops mid-handle rethrows: the transport nacks with requeue, so the
                // message goes to another consumer instead of the error queue.
                error.UseFilter(new RequeueWhenStoppingFilter());
                error.UseFilter(new MassTransit.Middleware.ErrorTransportFilter());
            });
            endpoint.UseMessageRetry(retry =>
            {
                retry.Ignore<SubscriptionStoppingException>();
                retry.Ignore<AttemptsExhaustedException>();
                if (_options.MaxAttempts > 1)
                {
                    retry.Interval(_options.MaxAttempts - 1, _options.RetryDelay);
                }
                else
                {
                    retry.None();
                }
            });
            endpoint.Handler<EventAccepted>(consumer.ConsumeAsync);
        });

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            await handle.Ready.WaitAsync(linked.Token);
        }
        catch
        {
            await handle.StopAsync(CancellationToken.None);
            throw;
        }

        consumer.Attach(handle);
        BusLog.Subscribed(_logger, subscription.Workflow, subscription.EventNames.Count, Transport);
        return consumer;
    }

    public async Task ProvisionAsync(IReadOnlyCollection<EventRoute> routes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(routes);
        try
        {
            // Also starts the publishing bus, so the first publish after provisioning does not wait for a connection.
            await GetBusAsync(null, cancellationToken);
            var connection = await GetAdminConnectionAsync(cancellationToken);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            foreach (var workflow in routes.GroupBy(r => r.Workflow, StringComparer.Ordinal))
            {
                var queue = QueueName(workflow.Key);
                await DeclareDeadLetterRouteAsync(queue, cancellationToken);

                // Exactly the arguments SubscribeAsync gives MassTransit, so its later declaration matches.
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments(queue), cancellationToken: cancellationToken);
                foreach (var route in workflow)
                {
                    var exchange = ExchangeName(route.EventName);
                    await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                    await channel.QueueBindAsync(queue, exchange, string.Empty, cancellationToken: cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.RabbitMQClientException or RabbitMQ.Client.Exceptions.OperationInterruptedException
                                       or IOException or TimeoutException or System.Net.Sockets.SocketException or MassTransit.RabbitMqConnectionException)
        {
            throw new BusUnavailableException($"RabbitMQ is unavailable, the workflow queues were not declared: {ex.GetType().Name}", ex);
        }
    }

    private Dictionary<string, object?> QueueArguments(string queue) => new(StringComparer.Ordinal)
    {
        ["x-queue-type"] = "quorum",
        ["x-delivery-limit"] = Math.Max(0, _options.MaxAttempts - 1),
        ["x-dead-letter-exchange"] = queue + "_error",
    };

    public async Task<IReadOnlyList<DeadLetter>> ReadDeadLettersAsync(string workflow, int maxCount, CancellationToken cancellationToken = default)
    {
        var connection = await GetAdminConnectionAsync(cancellationToken);
        var queue = QueueName(workflow) + "_error";
        var result = new List<DeadLetter>();

        // A peek: get without acknowledging, then close the channel so every message goes back.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return result;
        }

        await using var peek = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        while (result.Count < maxCount)
        {
            var got = await peek.BasicGetAsync(queue, autoAck: false, cancellationToken);
            if (got is null)
            {
                break;
            }

            result.Add(ToDeadLetter(workflow, got));
        }

        await peek.CloseAsync(cancellationToken);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (bus, _) in _buses)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10), _timeProvider);
            try
            {
                await bus.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Shutting down regardless.
            }
        }

        if (_adminConnection is { } connection)
        {
            await connection.DisposeAsync();
        }

        _gate.Dispose();
        _startLock.Dispose();
    }

    private DeadLetter ToDeadLetter(string workflow, BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers;
        var faultMessage = HeaderString(headers, "MT-Fault-Message");
        var reason = HeaderString(headers, "MT-Fault-ExceptionType") is { } type
            ? type == typeof(AttemptsExhaustedException).FullName ? faultMessage ?? type : $"{type}: {faultMessage}"
            : HeaderString(headers, "x-first-death-reason") is { } death
                ? $"Broker dead-lettered ({death}): delivery limit of {_options.MaxAttempts} reached."
                : "unknown";
        var attempts = AttemptsExhaustedException.ParseAttempts(faultMessage) ?? _options.MaxAttempts;

        using var document = JsonDocument.Parse(got.Body);
        var message = document.RootElement.TryGetProperty("message", out var body)
            ? body.Deserialize<EventAccepted>(BusJson.Options)
            : null;
        return new DeadLetter(
            message ?? new EventAccepted { EventId = "?", EventName = "?", Fields = default, Producer = "?", AcceptedAt = default },
            workflow,
            attempts,
            reason);
    }

    private static string? HeaderString(IDictionary<string, object?>? headers, string key) =>
        headers is not null && headers.TryGetValue(key, out var value)
            ? value switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => null,
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
            }
            : null;

    private async Task DeclareDeadLetterRouteAsync(string queue, CancellationToken cancellationToken)
    {
        // The broker dead-letters to "<queue>_error" when x-delivery-limit is hit; declare it the way
        // MassTransit declares its error exchange and queue (see ConfigureErrorSettings) so the route
        // exists before the first fault.
        var connection = await GetAdminConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var error = queue + "_error";
        await channel.ExchangeDeclareAsync(error, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(error, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(error, error, string.Empty, cancellationToken: cancellationToken);
    }

    private async Task<IConnection> GetAdminConnectionAsync(CancellationToken cancellationToken)
    {
        if (_adminConnection is { IsOpen: true } open)
        {
            return open;
        }

        await _startLock.WaitAsync(cancellationToken);
        try
        {
            if (_adminConnection is { IsOpen: true } again)
            {
                return again;
            }

            if (_adminConnection is { } stale)
            {
                await stale.DisposeAsync();
            }

            var factory = new ConnectionFactory
            {
                HostName = _endpoint.Host,
                Port = _endpoint.Port,
                VirtualHost = _endpoint.VirtualHost,
                UserName = _endpoint.UserName,
                Password = _endpoint.Password,
                ClientProvidedName = "loopy-bus-admin",
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            };
            _adminConnection = await factory.CreateConnectionAsync(cancellationToken);
            return _adminConnection;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private async Task<ISendEndpoint> GetSendEndpointAsync(string eventName, CancellationToken cancellationToken)
    {
        var bus = await GetBusAsync(null, cancellationToken);
        var endpoint = _sendEndpoints.GetOrAdd(eventName, name => bus.GetSendEndpoint(new Uri($"exchange:{ExchangeName(name)}?type=fanout&durable=true")));
        try
        {
            return await endpoint;
        }
        catch
        {
            _sendEndpoints.TryRemove(eventName, out _);
            throw;
        }
    }

    /// <summary>A started bus: the first one for publishing, else one that has no endpoint on <paramref name="queue"/> yet.</summary>
    private async Task<IBusControl> GetBusAsync(string? queue, CancellationToken cancellationToken)
    {
        if (queue is null && _buses.Count > 0)
        {
            return _buses[0].Bus;
        }

        await _startLock.WaitAsync(cancellationToken);
        try
        {
            foreach (var (bus, queues) in _buses)
            {
                if (queue is null || queues.Add(queue))
                {
                    return bus;
                }
            }

            LogContext.ConfigureCurrentLogContext(_loggerFactory);
            var created = MassTransit.Bus.Factory.CreateUsingRabbitMq(configurator =>
            {
                configurator.Host(_endpoint.Host, (ushort)_endpoint.Port, _endpoint.VirtualHost, host =>
                {
                    host.Username(_endpoint.UserName);
                    host.Password(_endpoint.Password);
                    host.PublisherConfirmation = true;
                    host.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                    host.ConnectionName("loopy-bus");
                });

                // MassTransit copies the queue's arguments to its _error queue. A dead letter must not
                // have a delivery limit (peeking returns messages and would count towards it): the
                // error queue is a plain durable classic queue.
                configurator.SendTopology.ConfigureErrorSettings = settings =>
                {
                    settings.SetQueueArgument("x-queue-type", null);
                    settings.SetQueueArgument("x-delivery-limit", null);
                    settings.SetQueueArgument("x-dead-letter-exchange", null);
                };
            });
            await created.StartAsync(cancellationToken);
            _buses.Add((created, queue is null ? [] : [queue]));
            return created;
        }
        finally
        {
            _startLock.Release();
        }
    }
}
