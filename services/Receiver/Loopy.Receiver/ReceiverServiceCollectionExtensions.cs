using Loopy.Bus;
using Loopy.Manifests;
using Loopy.Receiver.Auth;
using Loopy.Receiver.Checkpoints;
using Loopy.Receiver.Dedupe;
using Loopy.Receiver.Ingress;
using Loopy.Receiver.State;
using Loopy.Receiver.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Loopy.Receiver;

/// <summary>Registers the Receiver's services; the host and the standalone composition both call it.</summary>
public static class ReceiverServiceCollectionExtensions
{
    /// <summary>
    /// Adds the gate behind <c>POST /events</c>: producer authentication, manifest contracts, the ingress
    /// store (Postgres when <c>ConnectionStrings:postgres</c> is set, else SQLite at
    /// <c>{Loopy:DataDirectory or .loopy}/state.db</c>) and the bus (<see cref="BusServiceCollectionExtensions.AddLoopyBus"/>).
    /// </summary>
    public static TBuilder AddLoopyReceiver<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ReceiverOptions>().Bind(configuration.GetSection(ReceiverOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddLoopyBus(configuration);
        services.TryAddSingleton(sp => ReceiverDatabase.Create(configuration, sp.GetRequiredService<IOptions<ReceiverOptions>>().Value, builder.Environment));
        services.TryAddSingleton<IngressStore>();
        services.TryAddSingleton<CheckpointStore>();
        services.TryAddSingleton(sp =>
        {
            // Its own source (not a shared IManifestSource registration): in the standalone composition the
            // Runtime reads its manifest through a source of its own.
            var sourceOptions = configuration.GetSection(ManifestSourceOptions.SectionName).Get<ManifestSourceOptions>() ?? new ManifestSourceOptions();
            var source = sourceOptions.CreateSource(sp.GetRequiredService<IOptions<ReceiverOptions>>().Value.ManifestPath, configuration.GetConnectionString("postgres"));
            return new ManifestContracts(source, sourceOptions, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<ProducerAuthenticator>();
        services.TryAddSingleton<ProducerRateLimiter>();
        services.TryAddSingleton<ReceiverTelemetry>();
        services.TryAddSingleton<BusTopology>();
        services.TryAddSingleton<EventIngress>();
        services.AddOpenApi("receiver");
        services.AddHealthChecks().AddCheck<ManifestHealthCheck>("manifest", HealthStatus.Unhealthy, ["ready"]);
        return builder;
    }
}
