using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Loopy.Testing;

namespace Loopy.Integration.Tests.AppHost;

/// <summary>The built AppHost running as a real process, its output collected line by line.</summary>
public sealed class AppHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _watchers = [];
    private bool _disposed;

    private AppHostProcess(Process process)
    {
        _process = process;
    }

    public ConcurrentQueue<string> Lines { get; } = new();

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>dotnet Loopy.AppHost.dll ARGS</c> from the repository root, without colour.</summary>
    public static AppHostProcess Start(IEnumerable<string> arguments, Action<IDictionary<string, string?>> environment) =>
        StartAssembly(BuiltAssembly("Loopy.AppHost", "Loopy.AppHost.dll"), arguments, environment);

    /// <summary>The path of an assembly the solution built in this test run's configuration, e.g. the <c>loopy</c> CLI.</summary>
    public static string BuiltAssembly(string projectFolder, string assembly) =>
        Path.Combine(RepositoryRoot.Path, projectFolder, "bin", new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", assembly);

    /// <summary>Starts <c>dotnet ASSEMBLY ARGS</c> from the repository root, without colour (the AppHost, or <c>loopy run</c>).</summary>
    public static AppHostProcess StartAssembly(string assembly, IEnumerable<string> arguments, Action<IDictionary<string, string?>> environment)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        environment(start.Environment);
        var host = new AppHostProcess(new Process { StartInfo = start });
        host._process.OutputDataReceived += (_, e) => host.Collect(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Collect(e.Data);
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for the "Loopy is running" line; fails with the output when it does not come.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAny(_ready.Task, _process.WaitForExitAsync(cancellationToken), Task.Delay(TimeSpan.FromSeconds(120), cancellationToken));
        Assert.True(_ready.Task.IsCompleted, "the AppHost did not report ready:\n" + string.Join('\n', Lines));
    }

    /// <summary>Waits for the first output line (already seen or to come) that <paramref name="match"/> accepts.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_watchers)
        {
            if (Lines.FirstOrDefault(match) is { } seen)
            {
                return seen;
            }

            _watchers.Add((match, found));
        }

        await Task.WhenAny(found.Task, _process.WaitForExitAsync(cancellationToken), Task.Delay(timeout, cancellationToken));
        Assert.True(found.Task.IsCompleted, "the expected line never came:\n" + string.Join('\n', Lines));
        return await found.Task;
    }

    /// <summary>Sends SIGINT (Ctrl-C) and waits up to 60 s for the AppHost to exit.</summary>
    public async Task InterruptAndWaitAsync(CancellationToken cancellationToken)
    {
        using (var interrupt = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync(cancellationToken);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(deadline.Token);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_watchers)
        {
            Lines.Enqueue(line);
            foreach (var watcher in _watchers.Where(w => w.Match(line)).ToList())
            {
                watcher.Found.TrySetResult(line);
                _watchers.Remove(watcher);
            }
        }

        if (line.Contains("Loopy is running", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
