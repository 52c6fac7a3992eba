using System.Diagnostics;

namespace Loopy.Testing;

/// <summary>
/// Stops and starts one of the real servers through <c>eng/servers.sh</c>, for failure-path tests
/// (database down, broker down). A test that stops a server starts it again before it ends.
/// </summary>
public static class ServerControl
{
    public static Task StopAsync(string server, CancellationToken cancellationToken) =>
        RunAsync("stop-one", server, cancellationToken);

    public static Task StartAsync(string server, CancellationToken cancellationToken) =>
        RunAsync("start-one", server, cancellationToken);

    /// <summary>Stops the server, runs <paramref name="whileDown"/>, and always starts it again.</summary>
    public static async Task WhileStoppedAsync(string server, Func<Task> whileDown, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(whileDown);
        await StopAsync(server, cancellationToken);
        try
        {
            await whileDown();
        }
        finally
        {
            await StartAsync(server, CancellationToken.None);
        }
    }

    private static async Task RunAsync(string verb, string server, CancellationToken cancellationToken)
    {
        var script = Environment.GetEnvironmentVariable("LOOPY_SERVERS_SCRIPT") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryRoot.Path, "eng", "servers.sh");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { script, verb, server },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash could not be started");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"servers.sh {verb} {server} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
