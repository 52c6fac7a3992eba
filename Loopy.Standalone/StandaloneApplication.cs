using Loopy.Receiver;
using Loopy.Runtime;
using Loopy.SensorHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Loopy.Standalone;

/// <summary>
/// The standalone topology: the SensorHost, the Receiver and the Runtime (with its inspection API) in
/// one process, composed with the same <c>AddLoopyX</c>/<c>MapLoopyX</c> calls their hosts use. No
/// connection string is set, so the in-process bus and SQLite under the project's <c>.loopy/</c> are
/// wired in; no service code asks whether it is standalone.
/// </summary>
public static class StandaloneApplication
{
    public static WebApplication Build(StandaloneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(Configuration(settings));
        builder.WebHost.UseUrls(settings.Url.ToString());
        builder.AddServiceDefaults();
        builder.AddLoopyReceiver();
        builder.AddLoopyRuntime();
        builder.AddLoopySensorHost();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapLoopyReceiver();
        app.MapLoopyRuntime();
        app.MapLoopySensorHost();
        return app;
    }

    /// <summary>
    /// The Receiver's gate and the Runtime without an HTTP server (what <c>loopy trigger</c> runs events on): the
    /// same registrations and configuration as <see cref="Build"/>, no SensorHost (nothing arrives from outside), no cron
    /// scheduler (a trigger runs only what it was asked to; <c>--cron</c> fires its one tick itself), and
    /// only warnings and errors logged, to stderr.
    /// </summary>
    public static IHost BuildWithoutServer(StandaloneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddInMemoryCollection(Configuration(settings));
        builder.Configuration.AddInMemoryCollection([new("Loopy:Runtime:CronEnabled", "false")]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddSimpleConsole(o => o.SingleLine = true);
        builder.AddLoopyReceiver();
        builder.AddLoopyRuntime();
        return builder.Build();
    }

    /// <summary>The configuration the services read, exactly as their hosts would get it from the environment.</summary>
    public static Dictionary<string, string?> Configuration(StandaloneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new Dictionary<string, string?>
        {
            // Standalone means no servers, whatever the environment holds.
            ["ConnectionStrings:postgres"] = string.Empty,
            ["ConnectionStrings:rabbitmq"] = string.Empty,
            ["ConnectionStrings:redis"] = string.Empty,
            ["Loopy:DataDirectory"] = settings.DataDirectory,
            ["Loopy:Receiver:ManifestPath"] = settings.ManifestPath,
            ["Loopy:Receiver:Producers:0:Name"] = "sensorhost",
            ["Loopy:Receiver:Producers:0:Secret"] = settings.SensorHostSecret,
            ["Loopy:Receiver:Producers:0:Events:0"] = "*",
            ["Loopy:Receiver:Producers:1:Name"] = "developer",
            ["Loopy:Receiver:Producers:1:Secret"] = settings.DeveloperToken,
            ["Loopy:Receiver:Producers:1:Events:0"] = "*",
            ["Loopy:Runtime:ManifestPath"] = settings.ManifestPath,
            ["Loopy:Runtime:ProjectRoot"] = settings.ProjectPath,
            ["Loopy:Runtime:GitHubAppTokens"] = settings.GitHubAppTokens ? "true" : "false",
            ["Loopy:SensorHost:ManifestPath"] = settings.ManifestPath,
            ["Loopy:SensorHost:ProjectRoot"] = settings.ProjectPath,
            ["Loopy:SensorHost:ReceiverUrl"] = settings.Url.ToString(),
            ["Loopy:SensorHost:ProducerSecret"] = settings.SensorHostSecret,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        };
    }
}
