using Loopy.Bus.InProcess;
using Loopy.Bus.RabbitMq;
using Loopy.Bus.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Bus;

/// <summary>Registers <see cref="IEventBus"/>, choosing the transport once from configuration.</summary>
public static class BusServiceCollectionExtensions
{
    /// <summary>
    /// Adds the bus: <c>ConnectionStrings:rabbitmq</c> → RabbitMQ (MassTransit), else
    /// <c>ConnectionStrings:redis</c> → Redis Streams, else in-process. Options bind from
    /// <see cref="BusOptions.SectionName"/>.
    /// </summary>
    public static IServiceCollection AddLoopyBus(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<BusOptions>().Bind(configuration.GetSection(BusOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);

        var kind = SelectTransport(configuration, out var connectionString);
        services.TryAddSingleton<IEventBus>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BusOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var loggers = sp.GetRequiredService<ILoggerFactory>();
            BusLog.TransportSelected(loggers.CreateLogger(typeof(BusServiceCollectionExtensions)), kind.ToString());
            return Create(kind, connectionString, options, time, loggers);
        });
        return services;
    }

    /// <summary>Which transport <see cref="AddLoopyBus"/> picks for <paramref name="configuration"/>.</summary>
    public static BusTransport SelectTransport(IConfiguration configuration, out string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        connectionString = configuration.GetConnectionString("rabbitmq");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return BusTransport.RabbitMq;
        }

        connectionString = configuration.GetConnectionString("redis");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return BusTransport.Redis;
        }

        connectionString = null;
        return BusTransport.InProcess;
    }

    /// <summary>Creates a bus of the given kind directly (tests, benchmarks). The caller disposes it.</summary>
    public static IEventBus Create(BusTransport transport, string? connectionString, BusOptions options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        return transport switch
        {
            BusTransport.RabbitMq => new RabbitMqEventBus(Require(connectionString), options, timeProvider, loggerFactory),
            BusTransport.Redis => new RedisEventBus(Require(connectionString), options, timeProvider, loggerFactory.CreateLogger<RedisEventBus>()),
            _ => new InProcessEventBus(options, timeProvider, loggerFactory.CreateLogger<InProcessEventBus>()),
        };
    }

    private static string Require(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new ArgumentException("A connection string is required for this transport.", nameof(connectionString))
            : connectionString;
}
