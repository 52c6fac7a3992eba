using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Runs one agent process for every harness: starts it from the sandbox's start info, writes the prompt to stdin
/// (or gives it an empty, closed stdin), bounds the attempt by its wall clock, kills the whole process tree on
/// expiry or cancellation, keeps the head of stdout and the tail of stderr within limits, and hands every stdout
/// line to a callback as it arrives (streaming output, running cost).
/// </summary>
public static class AgentProcess
{
    /// <summary>A stdout line longer than this is cut before it reaches the callback.</summary>
    public const int MaxLineChars = 4 * 1024 * 1024;

    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs the process to its end. The wall clock expiring is a terminal <see cref="AttemptFailedException"/>; a
    /// cancelled <paramref name="cancellationToken"/> kills the tree and throws <see cref="OperationCanceledException"/>.
    /// A program that cannot be started is a terminal failure.
    /// </summary>
    public static async Task<AgentProcessResult> RunAsync(
        ProcessStartInfo start,
        string? stdin,
        TimeSpan wallClock,
        int maxStdoutChars,
        int maxStderrChars,
        Action<string>? onStdoutLine,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardInputEncoding = new UTF8Encoding(false);
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new AttemptFailedException($"'{start.FileName}' cannot be started: {ex.Message}", terminal: true);
        }

        var stdout = ReadLinesAsync(process.StandardOutput, maxStdoutChars, onStdoutLine);
        var stderr = ReadTailAsync(process.StandardError, maxStderrChars);
        using var budget = new CancellationTokenSource(wallClock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            try
            {
                if (stdin is not null)
                {
                    await process.StandardInput.WriteAsync(stdin.AsMemory(), linked.Token).ConfigureAwait(false);
                    await process.StandardInput.FlushAsync(linked.Token).ConfigureAwait(false);
                }
            }
            catch (IOException)
            {
                // The agent closed stdin without reading the whole prompt; its exit code decides.
            }
            finally
            {
                try
                {
                    process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // Already gone.
                }
            }

            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new AttemptFailedException($"wall-clock budget exceeded ({wallClock.TotalSeconds:0.###} s): the process tree was killed", terminal: true);
            }

            throw;
        }

        // A grandchild may keep the pipes open after the agent exited: read what arrived within a grace period.
        var output = await CollectAsync(stdout).ConfigureAwait(false);
        var errors = await CollectAsync(stderr).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return new AgentProcessResult(process.ExitCode, output, errors);
    }

    private static async Task<string> CollectAsync(Task<string> read)
    {
        var done = await Task.WhenAny(read, Task.Delay(OutputGrace)).ConfigureAwait(false);
        return done == read ? await read.ConfigureAwait(false) : string.Empty;
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, int limit, Action<string>? onLine)
    {
        var kept = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            if (kept.Length < limit)
            {
                kept.Append(buffer, 0, Math.Min(read, limit - kept.Length));
            }

            if (onLine is null)
            {
                continue;
            }

            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    onLine(line.ToString().TrimEnd('\r'));
                    line.Clear();
                }
                else if (line.Length < MaxLineChars)
                {
                    line.Append(buffer[i]);
                }
            }
        }

        if (onLine is not null && line.Length > 0)
        {
            onLine(line.ToString().TrimEnd('\r'));
        }

        return kept.ToString();
    }

    private static async Task<string> ReadTailAsync(StreamReader reader, int limit)
    {
        var sb = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            sb.Append(buffer, 0, read);
            if (sb.Length > limit)
            {
                sb.Remove(0, sb.Length - limit);
            }
        }

        return sb.ToString();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited in the meantime.
        }
    }
}
