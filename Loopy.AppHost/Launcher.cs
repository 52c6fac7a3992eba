using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;

namespace Loopy.AppHost;

/// <summary>
/// Resolves the resources (servers), starts every service host as a child process with its
/// connection strings in <c>ConnectionStrings__*</c>, waits for each <c>/health</c>, prints the
/// endpoints, and on shutdown stops every child (and every server) it started.
/// </summary>
public sealed class Launcher(AppHostOptions options, TimeProvider time, ConsoleSink console)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(15);
    private readonly ConsoleSink _console = console;
    private readonly ToolRunner _tools = new(options.RepositoryRoot, console);
    private readonly List<ChildProcess> _children = [];
    private readonly Dictionary<ServiceLaunch, ChildProcess> _childOf = [];
    private int _nextFallbackPort;

    // Credentials of this run only: the SensorHost's producer secret, and a token for posting by hand.
    private readonly string _sensorHostSecret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    /// <summary>A producer token for posting events by hand during this run (printed with the endpoints).</summary>
    public string DeveloperToken { get; } = "dev-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    public async Task<int> RunAsync(CancellationToken shutdown)
    {
        var serversStartedHere = false;
        try
        {
            var connections = ConnectionStrings.FromEnvironment();
            if (options.Servers == ServersMode.Local)
            {
                serversStartedHere = !await AllServersUpAsync(shutdown);
                connections = await StartLocalServersAsync(shutdown);
            }
            else if (connections.Count == 0)
            {
                _console.Error("apphost", "--servers external needs ConnectionStrings__postgres|rabbitmq|redis in the environment.");
                return 2;
            }

            var manifest = await ProjectCompilation.CompileAsync(options, _tools, shutdown);
            var services = PlanServices(connections, manifest);

            // The Compiler service first (Receivers and Runtimes read the version it activates in Postgres), then the
            // Receiver, so that the SensorHost and the Runtimes are given the URL it really listens on.
            var phases = new[]
            {
                services.Where(s => s.Service == "Compiler").ToList(),
                services.Where(s => s.Service == "Receiver").ToList(),
                services.Where(s => s.Service is not ("Compiler" or "Receiver")).ToList(),
            };
            var receiver = services.First(s => s.Service == "Receiver");
            foreach (var launches in phases)
            {
                foreach (var service in launches)
                {
                    StartChild(service, receiver);
                }

                if (!await WaitUntilHealthyAsync(launches, receiver, shutdown))
                {
                    return shutdown.IsCancellationRequested ? 0 : 1;
                }
            }

            PrintEndpoints(services, connections);
            var firstExit = Task.WhenAny(_children.Select(c => c.Exited));
            await ((Task)Task.WhenAny(firstExit, Task.Delay(Timeout.Infinite, shutdown))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!shutdown.IsCancellationRequested)
            {
                // A child died on its own: it was already reported; keep the others serving until Ctrl-C.
                await Task.Delay(Timeout.Infinite, shutdown).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            return _children.Any(c => c.Exited.IsCompleted) ? 1 : 0;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return 0;
        }
        catch (LauncherException ex)
        {
            _console.Error("apphost", ex.Message);
            return 1;
        }
        finally
        {
            _console.Line("apphost", "stopping");
            await Task.WhenAll(_children.AsEnumerable().Reverse().Select(c => c.StopAsync(StopGrace)));
            foreach (var child in _children)
            {
                await child.DisposeAsync();
            }

            if (serversStartedHere)
            {
                await RunScriptAsync(["stop"], CancellationToken.None);
            }

            _console.Line("apphost", "stopped");
        }
    }

    /// <summary>The service hosts the AppHost starts (deploy/ must run the same set; a test checks it).</summary>
    public static readonly IReadOnlyList<string> Services = ["Receiver", "SensorHost", "Runtime", "Compiler"];

    /// <summary>The configuration this AppHost was built in; the sibling hosts are run from the same one.</summary>
    public static string BuildConfiguration =>
        typeof(Launcher).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LoopyBuildConfiguration")?.Value ?? "Debug";

    private List<ServiceLaunch> PlanServices(IReadOnlyDictionary<string, string> connections, string manifest)
    {
        var configuration = BuildConfiguration;
        var port = options.BasePort;
        var services = new List<ServiceLaunch>();
        foreach (var service in Services)
        {
            var replicas = service == "Runtime" ? options.RuntimeReplicas : 1;
            for (var i = 1; i <= replicas; i++)
            {
                var name = replicas == 1 && service != "Runtime" ? service.ToLowerInvariant() : $"{service.ToLowerInvariant()}-{i}";
                services.Add(new ServiceLaunch(name, service, NextFreePort(ref port)));
            }
        }

        // A port found free now may be taken by the time its service starts (the Compiler service starts and
        // compiles first): each is checked again just before its start, and moved from here on when taken.
        _nextFallbackPort = port;
        foreach (var service in services)
        {
            _console.Line("apphost", $"planned {service.Name} on port {service.Port}");
        }

        foreach (var service in services)
        {
            service.Assembly = Path.Combine(
                options.RepositoryRoot, "services", service.Service, $"Loopy.{service.Service}.Host", "bin", configuration, "net10.0", $"Loopy.{service.Service}.Host.dll");
            if (!File.Exists(service.Assembly))
            {
                throw new LauncherException($"{service.Assembly} is missing: build the solution first (dotnet build Loopy.sln).");
            }

            foreach (var (name, value) in connections)
            {
                // The bus is chosen by which connection string a service sees: hide the one not asked for.
                var otherBus = options.Bus == "redis" ? "rabbitmq" : "redis";
                service.Environment[ConnectionStrings.VariableName(name)] = name == otherBus ? string.Empty : value;
            }

            service.Environment["Loopy__DataDirectory"] = Path.Combine(options.ProjectPath, ".loopy");
            service.Environment["Loopy__Receiver__ManifestPath"] = manifest;
            service.Environment["Loopy__Receiver__Producers__0__Name"] = "sensorhost";
            service.Environment["Loopy__Receiver__Producers__0__Secret"] = _sensorHostSecret;
            service.Environment["Loopy__Receiver__Producers__0__Events__0"] = "*";
            service.Environment["Loopy__Receiver__Producers__1__Name"] = "developer";
            service.Environment["Loopy__Receiver__Producers__1__Secret"] = DeveloperToken;
            service.Environment["Loopy__Receiver__Producers__1__Events__0"] = "*";
            service.Environment["Loopy__Manifest__Source"] = "postgres";
            service.Environment["Loopy__Compiler__ProjectDir"] = options.ProjectPath;
            service.Environment["Loopy__Compiler__ManifestPath"] = manifest;
            service.Environment["Loopy__Runtime__ManifestPath"] = manifest;
            service.Environment["Loopy__Runtime__ProjectRoot"] = options.ProjectPath;
            service.Environment["Loopy__SensorHost__ManifestPath"] = manifest;
            service.Environment["Loopy__SensorHost__ProjectRoot"] = options.ProjectPath;
            service.Environment["Loopy__SensorHost__ProducerSecret"] = _sensorHostSecret;
            service.Environment["OTEL_SERVICE_NAME"] = $"loopy-{service.Service.ToLowerInvariant()}";
            service.Environment["LOOPY_INSTANCE"] = service.Name;
            service.Environment["DOTNET_ENVIRONMENT"] = "Development";
        }

        return services;
    }

    /// <summary>
    /// Starts <paramref name="service"/> on its planned port if that is still free, else on the next free one, with
    /// the Receiver's current URL (the Receiver starts before every service that needs it).
    /// </summary>
    private void StartChild(ServiceLaunch service, ServiceLaunch receiver)
    {
        if (!IsFree(service.Port))
        {
            var taken = service.Port;
            service.MoveTo(NextFreePort(ref _nextFallbackPort));
            _console.Line("apphost", $"port {taken} was taken after planning: {service.Name} starts on port {service.Port}");
        }

        service.Environment["Loopy__SensorHost__ReceiverUrl"] = receiver.Url.ToString();
        _console.Line("apphost", $"starting {service.Name} on port {service.Port}");
        var child = service.Start(_console);
        _children.Add(child);
        _childOf[service] = child;
    }

    /// <summary>
    /// Waits for every service's <c>/health</c>. A service that exits first because its address was already in use
    /// (taken between the check and its bind) is started once more on another free port; any other exit fails.
    /// </summary>
    private async Task<bool> WaitUntilHealthyAsync(IReadOnlyList<ServiceLaunch> services, ServiceLaunch receiver, CancellationToken shutdown)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = time.GetUtcNow() + ReadyTimeout;
        var pending = services.ToList();
        var restarted = new HashSet<ServiceLaunch>();
        while (pending.Count > 0)
        {
            shutdown.ThrowIfCancellationRequested();
            foreach (var service in pending.ToList())
            {
                var child = _childOf[service];
                if (child.Exited.IsCompleted)
                {
                    if (!child.ReportedAddressInUse || !restarted.Add(service))
                    {
                        throw new LauncherException($"{service.Name} exited with code {child.Exited.Result} before it was healthy.");
                    }

                    var taken = service.Port;
                    _children.Remove(child);
                    await child.DisposeAsync();
                    service.MoveTo(NextFreePort(ref _nextFallbackPort));
                    _console.Line("apphost", $"port {taken} was already in use: starting {service.Name} again on port {service.Port}");
                    StartChild(service, receiver);
                    continue;
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(service.Url, "/health"), shutdown);
                    if (response.IsSuccessStatusCode)
                    {
                        _console.Line("apphost", $"{service.Name} is healthy");
                        pending.Remove(service);
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                catch (TaskCanceledException) when (!shutdown.IsCancellationRequested)
                {
                    // One slow answer; ask again.
                }
            }

            if (pending.Count > 0)
            {
                if (time.GetUtcNow() > deadline)
                {
                    throw new LauncherException($"not healthy after {ReadyTimeout.TotalSeconds:0}s: {string.Join(", ", pending.Select(p => p.Name))}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), time, shutdown);
            }
        }

        return true;
    }

    private void PrintEndpoints(List<ServiceLaunch> services, IReadOnlyDictionary<string, string> connections)
    {
        var lines = new List<string> { string.Empty, "  resource       endpoint" };
        lines.AddRange(services.Select(p => $"  {p.Name,-14} {p.Url} (pid {_childOf[p].Pid})"));
        lines.AddRange(connections.Keys.Order(StringComparer.Ordinal).Select(k => $"  {k,-14} {Redact(connections[k])}"));
        lines.Add(string.Empty);
        lines.Add($"  project        {options.ProjectPath}");
        lines.AddRange(Loopy.Standalone.StandaloneServer.PostExample(DeveloperToken, services[0].Url));
        lines.Add(string.Empty);
        lines.Add("  Loopy is running. Ctrl-C stops everything this AppHost started.");
        foreach (var line in lines)
        {
            _console.Line("apphost", line);
        }
    }

    private static string Redact(string connectionString)
    {
        // amqp://user:password@host → amqp://user:***@host; key=value strings drop Password=.
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return connectionString.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal);
        }

        return string.Join(';', connectionString.Split(';')
            .Where(part => !part.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));
    }

    private async Task<bool> AllServersUpAsync(CancellationToken cancellationToken)
    {
        var (_, output) = await RunScriptAsync(["status"], cancellationToken, echo: false);
        return output.Split('\n').Count(l => l.Contains(": up", StringComparison.Ordinal)) == ConnectionStrings.Names.Count;
    }

    private async Task<Dictionary<string, string>> StartLocalServersAsync(CancellationToken cancellationToken)
    {
        var (code, _) = await RunScriptAsync(["start"], cancellationToken);
        if (code != 0)
        {
            throw new LauncherException("eng/servers.sh start failed (see [servers] lines above).");
        }

        var (_, env) = await RunScriptAsync(["env"], cancellationToken, echo: false);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in env.Split('\n'))
        {
            foreach (var name in ConnectionStrings.Names)
            {
                var prefix = $"export {ConnectionStrings.VariableName(name)}='";
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    found[name] = line[prefix.Length..].TrimEnd().TrimEnd('\'');
                }
            }
        }

        return found;
    }

    private Task<(int Code, string Output)> RunScriptAsync(string[] arguments, CancellationToken cancellationToken, bool echo = true) =>
        _tools.RunAsync("bash", [Path.Combine(options.RepositoryRoot, "eng", "servers.sh"), .. arguments], echo ? "servers" : null, echoStdout: false, cancellationToken);

    private static int NextFreePort(ref int port)
    {
        while (true)
        {
            var candidate = port++;
            if (IsFree(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>True when nothing listens on <paramref name="port"/> on loopback now.</summary>
    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
