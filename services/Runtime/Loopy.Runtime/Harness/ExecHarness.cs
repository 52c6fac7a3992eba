using System.Text.Json;
using Loopy.Runtime.Replies;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The <c>exec</c> harness (AUTHORING.md §9.1): runs the agent's <c>command</c> in the sandbox with the prompt on
/// stdin; stdout is the reply (optionally carrying top-level <c>usage</c>). The working directory is the attempt's
/// fresh sandbox folder, so paths in <c>command</c> are the project's: an argv item that is a relative path with a
/// <c>/</c> (<c>scripts/x.sh</c>, <c>./agent.py</c>) naming a file in the project root is passed as that file's
/// absolute path (decision). The wall-clock budget, a lost lease or shutdown kill the whole process tree.
/// </summary>
public sealed class ExecHarness(SandboxLauncher launcher, IOptions<RuntimeOptions> options) : IAgentHarness
{
    public string Name => "exec";

    public Task<HarnessResult> RunAsync(HarnessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var argv = request.Agent.CommandArgv();
        if (argv.Count == 0 || string.IsNullOrWhiteSpace(argv[0]))
        {
            throw new AttemptFailedException($"agent '{request.AgentName}' has no command", terminal: true);
        }

        return launcher.RunAsync(request, [], async (launch, ct) =>
        {
            var program = launch.FindProgram(argv[0])
                ?? throw new AttemptFailedException($"command '{argv[0]}' not found in the sandbox", terminal: true);
            var resolved = new List<string> { program };
            resolved.AddRange(argv.Skip(1).Select(arg => ProjectFile(request.ProjectRoot, arg)));
            var settings = options.Value;
            var result = await AgentProcess.RunAsync(launch.StartInfo(resolved), request.Prompt, launch.WallClock,
                settings.MaxReplyBytes * 16, settings.MaxStderrChars, null, ct).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new AttemptFailedException($"command exited with code {result.ExitCode}: {result.FailureTail}", terminal: false);
            }

            return ParseUsage(result.Stdout);
        }, cancellationToken);
    }

    /// <summary>The absolute path of a relative argv item naming a file in the project, else the item unchanged.</summary>
    public static string ProjectFile(string projectRoot, string arg)
    {
        ArgumentNullException.ThrowIfNull(projectRoot);
        ArgumentNullException.ThrowIfNull(arg);
        if (!arg.Contains('/', StringComparison.Ordinal) || Path.IsPathRooted(arg) || arg.StartsWith('-'))
        {
            return arg;
        }

        var root = Path.GetFullPath(projectRoot);
        var full = Path.GetFullPath(Path.Combine(root, arg));
        return full.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal) && File.Exists(full) ? full : arg;
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
}
