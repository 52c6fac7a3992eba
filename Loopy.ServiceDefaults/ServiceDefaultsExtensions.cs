using Loopy.ServiceDefaults.HealthChecks;
using Loopy.ServiceDefaults.Shutdown;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Loopy service shares, in the shape of an Aspire ServiceDefaults project: telemetry,
/// health endpoints, HTTP client resilience and discovery, and problem-details errors.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddGracefulShutdown();
        builder.Services.AddProblemDetails();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// Graceful shutdown shared by every service: readiness turns unhealthy as soon as a shutdown signal arrives
    /// (<see cref="DrainingHealthCheck"/>), and the host keeps serving for <c>Loopy:Shutdown:DrainDelay</c> before
    /// it stops listening. Kestrel then finishes in-flight requests; each service drains its own work, all within
    /// <c>HostOptions.ShutdownTimeout</c> (<c>shutdownTimeoutSeconds</c>).
    /// </summary>
    public static TBuilder AddGracefulShutdown<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ShutdownOptions>().Bind(builder.Configuration.GetSection(ShutdownOptions.SectionName));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<DrainDelayService>();
        builder.Services.AddHealthChecks().AddCheck<DrainingHealthCheck>("draining", HealthStatus.Unhealthy, [ReadyTag]);
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Loopy.*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("Loopy.*")
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath, StringComparison.Ordinal)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath, StringComparison.Ordinal))
                .AddHttpClientInstrumentation());

        // The OTLP exporter is wired only when an endpoint is configured, as Aspire does.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Registers the liveness check and a readiness check for every dependency whose connection
    /// string is configured (<c>ConnectionStrings:postgres|rabbitmq|redis</c>).
    /// </summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var checks = builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        var timeout = TimeSpan.FromSeconds(3);
        if (builder.Configuration.GetConnectionString("postgres") is { Length: > 0 } postgres)
        {
            checks.Add(new HealthCheckRegistration(
                "postgres", _ => new PostgresHealthCheck(postgres), HealthStatus.Unhealthy, [ReadyTag], timeout));
        }

        if (builder.Configuration.GetConnectionString("rabbitmq") is { Length: > 0 } rabbitmq)
        {
            checks.Add(new HealthCheckRegistration(
                "rabbitmq", _ => new RabbitMqHealthCheck(rabbitmq), HealthStatus.Unhealthy, [ReadyTag], timeout));
        }

        if (builder.Configuration.GetConnectionString("redis") is { Length: > 0 } redis)
        {
            checks.Add(new HealthCheckRegistration(
                "redis", _ => new RedisHealthCheck(redis), HealthStatus.Unhealthy, [ReadyTag], timeout));
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every registered check) and <c>/alive</c> (liveness: the
    /// <c>live</c> checks only), plus the problem-details error pipeline.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
        return app;
    }
}
