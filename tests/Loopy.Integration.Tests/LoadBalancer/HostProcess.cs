using System.Diagnostics;
using System.Globalization;
using System.Text;
using Loopy.Testing;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// A real service host process (<c>dotnet Loopy.X.Host.dll</c>) on a fixed loopback port, configured only through
/// environment variables and run from its own folder, as in a container. It can be stopped with SIGTERM or SIGKILL
/// and started again on the same port.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string _assembly;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private Process? _process;

    /// <param name="name">The name its output lines are tagged with.</param>
    /// <param name="assembly">The host's entry assembly, e.g. a <c>dotnet publish</c> output's <c>Loopy.Runtime.Host.dll</c>.</param>
    /// <param name="port">The loopback port it listens on.</param>
    /// <param name="environment">Its configuration.</param>
    public HostProcess(string name, string assembly, int port, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        _assembly = assembly;
        Port = port;
        _environment = environment;
    }

    /// <summary>The Receiver host of this test assembly's build output.</summary>
    public static HostProcess Receiver(string name, int port, IReadOnlyDictionary<string, string> environment) =>
        new(name, Path.Combine(AppContext.BaseDirectory, "Loopy.Receiver.Host.dll"), port, environment);

    public string Name { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public int Starts { get; private set; }

    public int ExitCode => _process!.ExitCode;

    public bool HasExited => _process is null || _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Start()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { _assembly },
            WorkingDirectory = Path.GetDirectoryName(_assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var starts = ++Starts;
        process.OutputDataReceived += (_, e) => Append(starts, e.Data);
        process.ErrorDataReceived += (_, e) => Append(starts, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Waits until <c>/health</c> answers 200 (for a Receiver: schema, manifest, bus and database all ready).</summary>
    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        await Wait.UntilAsync(async () =>
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), cancellationToken);
    }

    /// <summary>
    /// Posts one event directly until it is accepted: the first publish of a fresh process connects its bus and can
    /// outlast the Receiver's dependency timeout (a 503), which tests of other things should not run into.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        using var client = ReceiverDeployment.Client(Url);
        var id = $"warm-up-{Name}-{Guid.NewGuid():N}";
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.PostAsync(new Uri("/events", UriKind.Relative), ReceiverDeployment.Ping(id), cancellationToken);
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>Waits until the output has a line containing <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, CancellationToken cancellationToken) =>
        Wait.UntilAsync(() => Output.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(30), cancellationToken);

    /// <summary><c>kill -TERM</c>: the graceful stop a container runtime sends first.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary><c>kill -KILL</c>: no shutdown at all.</summary>
    public void Kill() => Signal("KILL");

    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        await _process!.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private void Append(int start, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append('[').Append(Name).Append('#').Append(start).Append("] ").AppendLine(line);
        }
    }
}
