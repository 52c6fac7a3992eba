using Loopy.SensorHost.Delivery;
using Loopy.SensorHost.Sensors;
using Loopy.SensorHost.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.SensorHost;

/// <summary>Maps the SensorHost's HTTP endpoints: one <c>POST</c> route per webhook path of the manifest.</summary>
public static class SensorHostEndpointRouteBuilderExtensions
{
    /// <summary>Maps every webhook path; throws at start-up when a path cannot be served (e.g. its secret is not set).</summary>
    public static IEndpointRouteBuilder MapLoopySensorHost(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var catalog = endpoints.ServiceProvider.GetRequiredService<SensorCatalog>();
        var logger = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebhookEndpoint));
        foreach (var route in catalog.Routes)
        {
            SensorHostLog.ServingWebhook(logger, route.Path, route.Sensors.Count, route.Verifier?.Scheme ?? "unverified");
            endpoints.MapPost(route.Path, (HttpContext context, ReceiverClient receiver, SensorHostTelemetry telemetry, IOptions<SensorHostOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
                    WebhookEndpoint.HandleAsync(route, context, receiver, telemetry, options, time, logger, cancellationToken))
                .WithName("Webhook " + route.Path)
                .DisableAntiforgery();
        }

        return endpoints;
    }
}
