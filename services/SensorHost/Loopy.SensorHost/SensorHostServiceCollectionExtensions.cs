using System.Net.Http.Headers;
using Loopy.Contracts.Manifest;
using Loopy.SensorHost.Configuration;
using Loopy.SensorHost.Delivery;
using Loopy.SensorHost.Exec;
using Loopy.SensorHost.Polling;
using Loopy.SensorHost.Sensors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.SensorHost;

/// <summary>Registers the SensorHost's services; the host and the standalone composition both call it.</summary>
public static class SensorHostServiceCollectionExtensions
{
    /// <summary>
    /// Adds the sensors of the manifest at <c>Loopy:SensorHost:ManifestPath</c>: webhook routes (mapped by
    /// <see cref="SensorHostEndpointRouteBuilderExtensions.MapLoopySensorHost"/>), poll sensors (a hosted service),
    /// and the typed clients of the Receiver (<c>POST /events</c> and the checkpoint API) with the producer secret.
    /// </summary>
    public static TBuilder AddLoopySensorHost<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<SensorHostOptions>().Bind(builder.Configuration.GetSection(SensorHostOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SensorHostTelemetry>();
        services.TryAddSingleton(sp => new SensorSecrets(sp.GetRequiredService<IConfiguration>(), ProjectRoot(sp)));
        services.TryAddSingleton(sp => new ExecRunner(ProjectRoot(sp), sp.GetRequiredService<SensorSecrets>()));
        services.TryAddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<SensorHostOptions>>().Value;
            var manifest = ManifestLoader.Load(File.ReadAllText(Path.GetFullPath(settings.ManifestPath)));
            return SensorCatalog.Build(
                manifest,
                sp.GetRequiredService<SensorSecrets>(),
                settings,
                sp.GetRequiredService<ExecRunner>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<SensorCatalog>());
        });

        // Retries are ReceiverClient's own (same event id, Retry-After honoured, bounded); the service defaults'
        // standard resilience handler would multiply them, so it is removed from these two clients.
        // EXTEXP0001: RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt a client
        // out of ConfigureHttpClientDefaults' handler, and a change to it would show up in the delivery tests.
#pragma warning disable EXTEXP0001
        services.AddHttpClient<ReceiverClient>(ConfigureReceiver).RemoveAllResilienceHandlers();
        services.AddHttpClient<CheckpointClient>(ConfigureReceiver).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddHostedService<PollSensorService>();
        return builder;
    }

    private static void ConfigureReceiver(IServiceProvider services, HttpClient client)
    {
        var settings = services.GetRequiredService<IOptions<SensorHostOptions>>().Value;
        var url = settings.ReceiverUrl.EndsWith('/') ? settings.ReceiverUrl : settings.ReceiverUrl + "/";
        client.BaseAddress = new Uri(url, UriKind.Absolute);
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.ProducerSecret);
    }

    private static string ProjectRoot(IServiceProvider services) =>
        Path.GetFullPath(services.GetRequiredService<IOptions<SensorHostOptions>>().Value.ProjectRoot);
}
