using System.Diagnostics;
using System.Text;

namespace Loopy.Runtime.Tests;

/// <summary>A real Runtime host process (<c>dotnet Loopy.Runtime.Host.dll</c>) configured through environment variables.</summary>
public sealed class RuntimeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RuntimeProcess(string replicaId, Process process)
    {
        ReplicaId = replicaId;
        _process = process;
    }

    public string ReplicaId { get; }

    public int Pid => _process.Id;

    /// <summary>The replica's HTTP address, read from its "Now listening on" log line (it binds port 0).</summary>
    public Uri? Url { get; private set; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

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

    public static RuntimeProcess Start(string replicaId, IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var workDirectory = Directory.CreateTempSubdirectory("loopy-rt-host-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Loopy.Runtime.Host.dll") },
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Loopy__Runtime__ReplicaId"] = replicaId;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? string.Empty;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var runtime = new RuntimeProcess(replicaId, process);
        process.OutputDataReceived += (_, e) => runtime.Append(e.Data);
        process.ErrorDataReceived += (_, e) => runtime.Append(e.Data);
        process.Exited += (_, _) => runtime._ready.TrySetException(new InvalidOperationException($"replica {replicaId} exited early:\n{runtime.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return runtime;
    }

    /// <summary>Waits until the replica logged that it serves the manifest (schema, manifest and subscriptions done).</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _ready.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"replica {ReplicaId} not ready within {timeout.TotalSeconds:0}s:\n{Output}");
        }
    }

    /// <summary><c>kill -9</c>: no shutdown hooks, no lease release; its agent's process is orphaned.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary><c>kill -TERM</c>: what a container runtime or Kubernetes sends first; the replica drains and exits.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"replica {ReplicaId} did not exit within {timeout.TotalSeconds:0}s:\n{Output}");
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        const string listening = "Now listening on: ";
        if (line.IndexOf(listening, StringComparison.Ordinal) is var at and >= 0)
        {
            Url = new Uri(line[(at + listening.Length)..].Trim());
        }

        if (line.Contains("serving manifest", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
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
}
