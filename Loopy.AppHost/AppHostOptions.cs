using System.Globalization;

namespace Loopy.AppHost;

/// <summary>Command-line options of the AppHost.</summary>
public sealed record AppHostOptions(int RuntimeReplicas, ServersMode Servers, string RepositoryRoot, int BasePort, string ProjectPath, string Bus = "rabbitmq")
{
    public const string Usage = """
        usage: dotnet run --project Loopy.AppHost [-- OPTIONS]
          --distributed          = --servers local (or external when ConnectionStrings__* are set)
          --bus rabbitmq|redis   the bus the distributed services use (default rabbitmq)
          --runtime-replicas N   Runtime worker processes to start (default 2; not standalone); alias --runtimes
          --servers MODE         standalone (default when no ConnectionStrings__* variable is set): one
                                 process, in-process bus, SQLite under the project's .loopy/;
                                 local: start Postgres, RabbitMQ and Redis with eng/servers.sh and run
                                 each service as its own process; external (default when
                                 ConnectionStrings__postgres|rabbitmq|redis are set): use those servers
          --base-port P          first HTTP port (default 5080): Receiver, SensorHost, then each Runtime;
                                 a port taken by the time its service starts moves it to the next free one
          --project DIR          the Loopy project to compile and run (default examples/hello); alias --project-dir
        """;

    public static AppHostOptions? Parse(IReadOnlyList<string> args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(error);
        var replicas = 2;
        var basePort = 5080;
        ServersMode? servers = null;
        string? project = null;
        var bus = "rabbitmq";
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--runtime-replicas" or "--runtimes" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 16:
                    replicas = n;
                    i++;
                    break;
                case "--base-port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 1024 and < 65000:
                    basePort = p;
                    i++;
                    break;
                case "--servers" when value is "standalone" or "local" or "external":
                    servers = value switch
                    {
                        "standalone" => ServersMode.Standalone,
                        "local" => ServersMode.Local,
                        _ => ServersMode.External,
                    };
                    i++;
                    break;
                case "--project" or "--project-dir" when !string.IsNullOrWhiteSpace(value):
                    project = value;
                    i++;
                    break;
                case "--distributed":
                    servers ??= ConnectionStrings.FromEnvironment().Count > 0 ? ServersMode.External : ServersMode.Local;
                    break;
                case "--bus" when value is "rabbitmq" or "redis":
                    bus = value;
                    i++;
                    break;
                case "-h" or "--help":
                    error.WriteLine(Usage);
                    return null;
                default:
                    error.WriteLine($"loopy-apphost: unrecognised or invalid argument '{args[i]}'.");
                    error.WriteLine(Usage);
                    return null;
            }
        }

        var configured = ConnectionStrings.FromEnvironment().Count > 0;
        var root = FindRepositoryRoot();
        var projectPath = Path.GetFullPath(project ?? Path.Combine(root, "examples", "hello"));
        if (!File.Exists(Path.Combine(projectPath, "registry.yml")))
        {
            error.WriteLine($"loopy-apphost: {projectPath} is not a Loopy project (no registry.yml).");
            return null;
        }

        return new AppHostOptions(replicas, servers ?? (configured ? ServersMode.External : ServersMode.Standalone), root, basePort, projectPath, bus);
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Loopy.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Loopy.sln not found: run the AppHost from the repository.");
    }
}
