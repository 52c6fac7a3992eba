using System.Diagnostics;
using System.Globalization;
using System.Text;
using Loopy.Testing;

namespace Loopy.Integration.Tests.Sensors;

/// <summary>A real SensorHost host process (<c>dotnet Loopy.SensorHost.Host.dll</c>, the build output) configured through environment variables.</summary>
public sealed class SensorHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SensorHostProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

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

    public static SensorHostProcess Start(string name, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(RepositoryRoot.Path, "services", "SensorHost", "Loopy.SensorHost.Host", "bin", configuration, "net10.0", "Loopy.SensorHost.Host.dll") },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Loopy__SensorHost__InstanceId"] = name;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var host = new SensorHostProcess(name, process);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary><c>kill -KILL</c>: no shutdown, no tick handed back; its sensor program is orphaned.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start("kill", ["-KILL", Pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Append('[').Append(Name).Append("] ").AppendLine(line);
            }
        }
    }
}
