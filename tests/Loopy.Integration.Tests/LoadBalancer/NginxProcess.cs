using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Loopy.Testing;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// Debian's nginx run as a process with <c>deploy/nginx/nginx.conf</c> rendered for loopback: the Receivers upstream
/// points at the given ports, the SensorHost upstream at a closed port, it listens on a free loopback port, and its
/// pid, logs and temp files live in a temp prefix. Everything else (passive health checks, retries, limits,
/// timeouts, headers) is the deployed configuration.
/// </summary>
public sealed partial class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NginxProcess(Process process, string prefix, int port)
    {
        _process = process;
        Prefix = prefix;
        Port = port;
    }

    public string Prefix { get; }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    private static readonly string[] Candidates = ["/usr/sbin/nginx", "/usr/bin/nginx"];
    private static readonly string[] TempPaths = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"];

    public static string? Binary => Candidates.FirstOrDefault(File.Exists);

    /// <summary>The nginx binary; skips the test when it is missing, and fails it when <c>CI=true</c> (eng/tools.sh installs it).</summary>
    public static string RequireBinary()
    {
        if (Binary is { } binary)
        {
            return binary;
        }

        Assert.True(!TestServers.IsCi, "CI=true and nginx is not installed (eng/tools.sh installs it)");
        Assert.Skip("nginx is not installed (apt-get install nginx-light)");
        return string.Empty;
    }

    /// <summary>Renders the deployed configuration for loopback upstreams (the SensorHost's at a closed port unless given).</summary>
    public static string Render(string deployed, IReadOnlyList<int> receiverPorts, int listenPort, string prefix, int? sensorHostPort = null)
    {
        ArgumentNullException.ThrowIfNull(deployed);
        ArgumentNullException.ThrowIfNull(receiverPorts);
        var receivers = ReceiverServer().Match(deployed);
        if (!receivers.Success || !SensorHostServer().IsMatch(deployed) || !Listen().IsMatch(deployed))
        {
            throw new InvalidOperationException("deploy/nginx/nginx.conf no longer has the receiver/sensorhost servers or the listen line this test renders");
        }

        var parameters = receivers.Groups["params"].Value;
        var text = ReceiverServer().Replace(deployed, string.Join("\n    ", receiverPorts.Select(p => $"server 127.0.0.1:{p}{parameters};")));
        text = SensorHostServer().Replace(text, m => $"server 127.0.0.1:{sensorHostPort ?? FreePort()}{m.Groups["params"].Value};");
        text = Listen().Replace(text, $"listen 127.0.0.1:{listenPort};");
        var paths = string.Join("\n  ", TempPaths.Select(t => $"{t}_temp_path {Path.Combine(prefix, "temp", t)};"));
        return text.Replace("http {", $"http {{\n  access_log {Path.Combine(prefix, "access.log")};\n  {paths}", StringComparison.Ordinal);
    }

    public static async Task<NginxProcess> StartAsync(string binary, IReadOnlyList<int> receiverPorts, CancellationToken cancellationToken, int? sensorHostPort = null)
    {
        var prefix = Directory.CreateTempSubdirectory("loopy-nginx-").FullName;
        Directory.CreateDirectory(Path.Combine(prefix, "temp"));
        if (!OperatingSystem.IsWindows())
        {
            // Worker processes may run as another user when the test runs as root: let them use the temp folder.
            File.SetUnixFileMode(prefix, (UnixFileMode)0b111_111_111);
            File.SetUnixFileMode(Path.Combine(prefix, "temp"), (UnixFileMode)0b111_111_111);
        }
        var port = FreePort();
        var deployed = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy", "nginx", "nginx.conf"), cancellationToken);
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, Render(deployed, receiverPorts, port, prefix, sensorHostPort), cancellationToken);

        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-p", prefix, "-c", config, "-e", Path.Combine(prefix, "error.log"), "-g", $"daemon off; pid {Path.Combine(prefix, "nginx.pid")};" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = start };
        var nginx = new NginxProcess(process, prefix, port);
        process.OutputDataReceived += (_, e) => nginx.Append(e.Data);
        process.ErrorDataReceived += (_, e) => nginx.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = nginx.Url };
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {nginx.Diagnostics()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), cancellationToken);
        return nginx;
    }

    /// <summary>nginx's own output and its error log (upstream failures, retries to the next server).</summary>
    public string Diagnostics()
    {
        var log = Path.Combine(Prefix, "error.log");
        lock (_output)
        {
            return _output + (File.Exists(log) ? File.ReadAllText(log) : string.Empty);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGQUIT is nginx's graceful stop; SIGTERM its fast one.
            using (var stop = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Prefix, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
        catch (UnauthorizedAccessException)
        {
            // Worker-owned temp files: left for the OS to clean.
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    [GeneratedRegex(@"server receiver:8080(?<params>[^;]*);")]
    private static partial Regex ReceiverServer();

    [GeneratedRegex(@"server sensorhost:8080(?<params>[^;]*);")]
    private static partial Regex SensorHostServer();

    [GeneratedRegex(@"listen 8080;")]
    private static partial Regex Listen();
}
