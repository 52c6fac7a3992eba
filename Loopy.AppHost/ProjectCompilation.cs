namespace Loopy.AppHost;

/// <summary>Compiles the project with the real <c>loopy</c> CLI before anything starts.</summary>
public static class ProjectCompilation
{
    /// <summary>Runs <c>loopy compile PROJECT</c>; returns the path of the manifest it wrote.</summary>
    public static async Task<string> CompileAsync(AppHostOptions options, ToolRunner tools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tools);
        var cli = Path.Combine(options.RepositoryRoot, "services", "Compiler", "Loopy.Cli", "bin", Launcher.BuildConfiguration, "net10.0", "loopy.dll");
        if (!File.Exists(cli))
        {
            throw new LauncherException($"{cli} is missing: build the solution first (dotnet build Loopy.sln).");
        }

        var (code, _) = await tools.RunAsync("dotnet", [cli, "compile", options.ProjectPath], "compiler", echoStdout: true, cancellationToken);
        if (code != 0)
        {
            throw new LauncherException($"{options.ProjectPath} does not compile (loopy compile exited {code}; diagnostics above).");
        }

        return Path.Combine(options.ProjectPath, "manifest.json");
    }
}
