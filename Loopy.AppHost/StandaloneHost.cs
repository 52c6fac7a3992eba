using Loopy.Standalone;

namespace Loopy.AppHost;

/// <summary>Compiles the project with the <c>loopy</c> CLI, then serves it with <see cref="StandaloneServer"/> (as <c>loopy run</c> does).</summary>
public static class StandaloneHost
{
    public static async Task<int> RunAsync(AppHostOptions options, ConsoleSink console, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        try
        {
            var manifest = await ProjectCompilation.CompileAsync(options, new ToolRunner(options.RepositoryRoot, console), shutdown);
            var settings = StandaloneSettings.Create(options.ProjectPath, manifest, new Uri($"http://127.0.0.1:{options.BasePort}"));
            await StandaloneServer.RunAsync(settings, text => console.Line("apphost", text), shutdown);
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
