namespace Loopy.AppHost;

/// <summary>One service host the AppHost starts: its name, its port and its environment.</summary>
public sealed class ServiceLaunch(string name, string service, int port)
{
    public string Name { get; } = name;

    public string Service { get; } = service;

    /// <summary>The port it listens on: the planned one, or another when that was taken before it started.</summary>
    public int Port { get; private set; } = port;

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public string Assembly { get; set; } = string.Empty;

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>Moves the host to another port (before it is started again).</summary>
    public void MoveTo(int port) => Port = port;

    /// <summary>Starts the host from its output folder, so its appsettings.json is its content root.</summary>
    public ChildProcess Start(ConsoleSink console)
    {
        Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        return ChildProcess.Start(Name, "dotnet", [Assembly], Environment, Path.GetDirectoryName(Assembly)!, console);
    }
}
