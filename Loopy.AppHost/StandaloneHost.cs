using System.Security.Cryptography;
using Loopy.Receiver;
using Loopy.Runtime;
using Loopy.SensorHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Loopy.AppHost;

/// <summary>
/// The standalone topology: the SensorHost, the Receiver and the Runtime composed in this one process
/// with the same <c>AddLoopyX</c>/<c>MapLoopyX</c> calls their hosts use; no connection string, so the
/// in-process bus and SQLite under the project's <c>.loopy/</c> are wired in.
/// </summary>
public static class StandaloneHost
{
    public static async Task<int> RunAsync(AppHostOptions options, ConsoleSink console, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            var manifest = await ProjectCompilation.CompileAsync(options, new ToolRunner(options.RepositoryRoot, console), shutdown);
            await using var app = Build(options, manifest, out var url, out var token);
            await app.StartAsync(shutdown);
            console.Line("apphost", string.Empty);
            console.Line("apphost", $"  Loopy (standalone)  {url}  — Receiver, Runtime and SensorHost in this process");
            console.Line("apphost", $"  state               {Path.Combine(options.ProjectPath, ".loopy", "state.db")} (SQLite), in-process bus");
            console.Line("apphost", $"  project             {options.ProjectPath}");
            foreach (var line in ProjectCompilation.PostExample(token, url))
            {
                console.Line("apphost", line);
            }

            console.Line("apphost", $"  runs                {new Uri(url, "/runs")}");
            console.Line("apphost", string.Empty);
            console.Line("apphost", "  Loopy is running. Ctrl-C stops it.");
            await app.WaitForShutdownAsync(shutdown);
            console.Line("apphost", "stopped");
            return 0;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return 0;
        }
        catch (LauncherException ex)
        {
            console.Error("apphost", ex.Message);
            return 1;
        }
    }

    private static WebApplication Build(AppHostOptions options, string manifest, out Uri url, out string token)
    {
        url = new Uri($"http://127.0.0.1:{options.BasePort}");
        token = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var sensorSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Standalone means no servers, whatever the environment holds.
            ["ConnectionStrings:postgres"] = string.Empty,
            ["ConnectionStrings:rabbitmq"] = string.Empty,
            ["ConnectionStrings:redis"] = string.Empty,
            ["Loopy:DataDirectory"] = Path.Combine(options.ProjectPath, ".loopy"),
            ["Loopy:Receiver:ManifestPath"] = manifest,
            ["Loopy:Receiver:Producers:0:Name"] = "sensorhost",
            ["Loopy:Receiver:Producers:0:Secret"] = sensorSecret,
            ["Loopy:Receiver:Producers:0:Events:0"] = "*",
            ["Loopy:Receiver:Producers:1:Name"] = "developer",
            ["Loopy:Receiver:Producers:1:Secret"] = token,
            ["Loopy:Receiver:Producers:1:Events:0"] = "*",
            ["Loopy:Runtime:ManifestPath"] = manifest,
            ["Loopy:Runtime:ProjectRoot"] = options.ProjectPath,
            ["Loopy:SensorHost:ManifestPath"] = manifest,
            ["Loopy:SensorHost:ProjectRoot"] = options.ProjectPath,
            ["Loopy:SensorHost:ReceiverUrl"] = url.ToString(),
            ["Loopy:SensorHost:ProducerSecret"] = sensorSecret,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        });
        builder.WebHost.UseUrls(url.ToString());
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
}
