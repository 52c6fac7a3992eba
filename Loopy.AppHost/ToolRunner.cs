using System.Diagnostics;
using System.Text;

namespace Loopy.AppHost;

/// <summary>Runs a tool (the servers script, the loopy CLI) to completion, echoing its output with a prefix.</summary>
public sealed class ToolRunner(string workingDirectory, ConsoleSink console)
{
    /// <summary>Returns the exit code and the captured stdout; stderr (and stdout when asked) is echoed.</summary>
    public async Task<(int Code, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, string? echoPrefix, bool echoStdout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new LauncherException($"{fileName} could not be started");
        async Task PumpAsync(StreamReader reader, StringBuilder? keep, bool echo)
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                keep?.AppendLine(line);
                if (echo && echoPrefix is not null)
                {
                    console.Line(echoPrefix, line.Replace($"[{echoPrefix}] ", string.Empty, StringComparison.Ordinal));
                }
            }
        }

        var stdout = new StringBuilder();
        await Task.WhenAll(
            PumpAsync(process.StandardOutput, stdout, echoStdout),
            PumpAsync(process.StandardError, null, echo: true));
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, stdout.ToString());
    }
}
