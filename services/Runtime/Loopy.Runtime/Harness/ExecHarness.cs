using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Loopy.Runtime.Replies;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The <c>exec</c> harness (AUTHORING.md §9.1): runs the agent's <c>command</c> as a child process with the
/// prompt on stdin and stdout as the reply (optionally carrying top-level <c>usage</c>). For the <c>local</c>
/// provider the working directory is the project root, so relative command paths (<c>scripts/x.sh</c>)
/// resolve, and <c>HOME</c> is a fresh temporary folder per attempt that also holds the
/// <c>LOOPY_CONTEXT</c> file; other providers are not available in this runtime yet (terminal failure).
/// The wall-clock budget, a lost lease or shutdown kill the whole process tree.
/// </summary>
public sealed class ExecHarness(IOptions<RuntimeOptions> options) : IAgentHarness
{
    private const int FailureTailChars = 2000;
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    public string Name => "exec";

    public async Task<HarnessResult> RunAsync(HarnessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Sandbox.Provider != "local")
        {
            throw new AttemptFailedException($"sandbox provider '{request.Sandbox.Provider}' is not available in this runtime (only 'local')", terminal: true);
        }

        var argv = request.Agent.CommandArgv();
        if (argv.Count == 0 || string.IsNullOrWhiteSpace(argv[0]))
        {
            throw new AttemptFailedException($"agent '{request.AgentName}' has no command", terminal: true);
        }

        var home = Directory.CreateTempSubdirectory("loopy-step-").FullName;
        try
        {
            var contextPath = Path.Combine(home, "loopy-context.json");
            await File.WriteAllTextAsync(contextPath, request.Context, cancellationToken).ConfigureAwait(false);
            var env = SandboxEnvironment.Build(request, home, contextPath);
            var program = Resolve(argv[0], request.ProjectRoot, env["PATH"])
                ?? throw new AttemptFailedException($"command '{argv[0]}' not found in the sandbox", terminal: true);
            return await RunProcessAsync(program, argv, env, request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TryDelete(home);
        }
    }

    private async Task<HarnessResult> RunProcessAsync(string program, IReadOnlyList<string> argv, Dictionary<string, string> env, HarnessRequest request, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = program,
            WorkingDirectory = request.ProjectRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new AttemptFailedException($"command '{argv[0]}' cannot be started: {ex.Message}", terminal: true);
        }

        var maxReply = options.Value.MaxReplyBytes * 16;
        var stdout = ReadBoundedAsync(process.StandardOutput, maxReply, keepTail: false);
        var stderr = ReadBoundedAsync(process.StandardError, options.Value.MaxStderrChars, keepTail: true);
        using var budget = new CancellationTokenSource(request.WallClock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(request.Prompt.AsMemory(), linked.Token).ConfigureAwait(false);
                await process.StandardInput.FlushAsync(linked.Token).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The agent closed stdin without reading the whole prompt; its exit code decides.
            }
            finally
            {
                process.StandardInput.Close();
            }

            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new AttemptFailedException($"wall-clock budget exceeded ({request.WallClock.TotalSeconds:0.###} s): the process tree was killed", terminal: true);
            }

            throw;
        }

        // A grandchild may keep the pipes open after the agent exited: read what arrived within a grace period.
        var output = await CollectAsync(stdout).ConfigureAwait(false);
        var errors = await CollectAsync(stderr).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            var tail = errors.Length > 0 ? errors : output.Length > 0 ? output : "(no output)";
            if (tail.Length > FailureTailChars)
            {
                tail = tail[^FailureTailChars..];
            }

            throw new AttemptFailedException($"command exited with code {process.ExitCode}: {tail}", terminal: false);
        }

        return ParseUsage(output);
    }

    private static HarnessResult ParseUsage(string output)
    {
        if (ReplyParser.TryParse(output, out var reply) && reply.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            return new HarnessResult(output, Number(usage, "cost_usd"), Integer(usage, "input_tokens"), Integer(usage, "output_tokens"));
        }

        return new HarnessResult(output, null, null, null);
    }

    private static double? Number(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static long? Integer(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    private static async Task<string> CollectAsync(Task<string> read)
    {
        var done = await Task.WhenAny(read, Task.Delay(OutputGrace)).ConfigureAwait(false);
        return done == read ? await read.ConfigureAwait(false) : string.Empty;
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader, int limit, bool keepTail)
    {
        var sb = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            if (keepTail)
            {
                sb.Append(buffer, 0, read);
                if (sb.Length > limit)
                {
                    sb.Remove(0, sb.Length - limit);
                }
            }
            else if (sb.Length < limit)
            {
                sb.Append(buffer, 0, Math.Min(read, limit - sb.Length));
            }
        }

        return sb.ToString();
    }

    private static string? Resolve(string command, string workingDirectory, string path)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(Path.Combine(workingDirectory, command));
            return File.Exists(full) ? full : null;
        }

        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
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

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A process the agent left behind may still use it; the OS cleans temporary folders.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: best effort.
        }
    }
}
