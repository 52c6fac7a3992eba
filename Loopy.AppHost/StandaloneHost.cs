using System.Security.Cryptography;
using Loopy.Standalone;
using Microsoft.Extensions.Hosting;

namespace Loopy.AppHost;

/// <summary>Runs <see cref="StandaloneApplication"/> on the compiled project and prints how to use it.</summary>
public static class StandaloneHost
{
    public static async Task<int> RunAsync(AppHostOptions options, ConsoleSink console, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            var manifest = await ProjectCompilation.CompileAsync(options, new ToolRunner(options.RepositoryRoot, console), shutdown);
            var url = new Uri($"http://127.0.0.1:{options.BasePort}");
            var token = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            var settings = new StandaloneSettings(options.ProjectPath, manifest, url, token, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
            await using var app = StandaloneApplication.Build(settings);
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
}
