using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Loopy.AppHost;

/// <summary>
/// One service host running as a child process: its output streamed with a prefix, its exit
/// reported, and a graceful stop (SIGTERM, then the whole tree killed after a deadline).
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConsoleSink _console;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;
    private volatile bool _addressInUse;

    private ChildProcess(string name, Process process, ConsoleSink console)
    {
        Name = name;
        _process = process;
        _console = console;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    /// <summary>True once the process printed that its address is already in use (Kestrel failed to bind).</summary>
    public bool ReportedAddressInUse => _addressInUse;

    /// <summary>Completes with the exit code when the process ends, whoever ended it.</summary>
    public Task<int> Exited => _exited.Task;

    public static ChildProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string workingDirectory,
        ConsoleSink console)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(console);
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, console);
        process.OutputDataReceived += (_, e) => child.Forward(e.Data);
        process.ErrorDataReceived += (_, e) => child.Forward(e.Data);
        process.Exited += (_, _) => child.OnExited();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then kill the process tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stopping = true;
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        _ = Kill(_process.Id, SigTerm);
        if (await Task.WhenAny(_exited.Task, Task.Delay(grace)) != _exited.Task)
        {
            _console.Line(Name, $"did not stop within {grace.TotalSeconds:0}s: killing its process tree");
            _process.Kill(entireProcessTree: true);
            await _exited.Task;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private void Forward(string? line)
    {
        if (line is not null)
        {
            if (line.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                _addressInUse = true;
            }

            _console.Line(Name, line);
        }
    }

    private void OnExited()
    {
        // WaitForExit drains the redirected output before the exit is reported.
        _process.WaitForExit();
        var code = _process.ExitCode;
        if (!_stopping)
        {
            _console.Error(Name, $"exited unexpectedly with code {code}");
        }

        _exited.TrySetResult(code);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
