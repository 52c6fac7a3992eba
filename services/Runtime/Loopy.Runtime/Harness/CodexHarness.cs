using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The <c>codex</c> harness (AUTHORING.md §9.1): <c>codex exec PROMPT --json --model M
/// --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check</c>, stdin empty and closed, plus config overrides:
/// the plugin marketplace sync (a <c>git</c> fetch from github.com) and analytics (to chatgpt.com) off, and, when the
/// sandbox env sets <c>OPENAI_BASE_URL</c>, <c>openai_base_url</c> from it (Codex 0.169 no longer reads the variable
/// itself; it has no environment switch for the other two). The key is <c>OPENAI_API_KEY</c> (AUTHORING.md §2.1),
/// handed to the CLI as <c>CODEX_API_KEY</c>, the only variable <c>codex exec</c> 0.169 sends (a <c>CODEX_API_KEY</c>
/// in the sandbox env wins). Cost is the <c>turn.completed</c> usage priced by the runtime's price table and checked
/// against the step's cap when it arrives: <c>codex exec</c> 0.169 prints it once, when its turn ends, summed over all
/// its model calls. A non-zero exit, a failed turn or no agent message is a transient failure.
/// </summary>
public sealed class CodexHarness(SandboxLauncher launcher, PriceTable prices, IOptions<RuntimeOptions> options) : IAgentHarness
{
    public const string Binary = "codex";

    private static readonly string[] KeyVariables = ["CODEX_API_KEY", "OPENAI_API_KEY"];

    public string Name => "codex";

    /// <summary>The argv the CLI gets (argv[0] is <c>codex</c>; the caller resolves it).</summary>
    public static IReadOnlyList<string> Argv(HarnessRequest request, string? openaiBaseUrl = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var argv = new List<string>
        {
            Binary, "exec", request.Prompt, "--json", "--model", request.Agent.Model, "--dangerously-bypass-approvals-and-sandbox", "--skip-git-repo-check",
            "-c", "features.plugins=false", "-c", "analytics.enabled=false",
        };
        if (!string.IsNullOrEmpty(openaiBaseUrl))
        {
            argv.Add("-c");
            argv.Add($"openai_base_url={TomlString(openaiBaseUrl)}");
        }

        return argv;
    }

    /// <summary>A TOML basic string (what <c>-c key=value</c> parses), so that no URL is read as another TOML value.</summary>
    public static string TomlString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var escaped = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => escaped.Append("\\\""),
                '\\' => escaped.Append("\\\\"),
                < ' ' or '\u007f' => escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => escaped.Append(c),
            };
        }

        return escaped.Append('"').ToString();
    }

    public Task<HarnessResult> RunAsync(HarnessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return launcher.RunAsync(request, ["api.openai.com"], async (launch, ct) =>
        {
            if (Key(launch.Environment) is not { } key)
            {
                throw new AttemptFailedException("harness key missing: the sandbox env provides no OPENAI_API_KEY", terminal: true);
            }

            launch = launch.WithVariable("CODEX_API_KEY", key);

            var argv = Argv(request, launch.Environment.GetValueOrDefault("OPENAI_BASE_URL")).ToList();
            argv[0] = StreamingRun.Find(launch, Binary);
            var output = new CodexOutput(prices.Find(request.Agent.Model));
            var result = await StreamingRun.RunAsync(launch, argv, request, options.Value, output.Accept, () => output.CostUsd, ct).ConfigureAwait(false);
            return Finish(result, output);
        }, cancellationToken);
    }

    /// <summary>The API key for the CLI: <c>CODEX_API_KEY</c>, else <c>OPENAI_API_KEY</c>, from the sandbox env; null when neither is set.</summary>
    public static string? Key(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var name in KeyVariables)
        {
            if (environment.TryGetValue(name, out var value) && value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The attempt's result from the process's end and what its output said.</summary>
    public static HarnessResult Finish(AgentProcessResult result, CodexOutput output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        double? cost = output.Unpriced ? null : output.CostUsd;
        if (result.ExitCode != 0)
        {
            throw new AttemptFailedException($"codex exited with code {result.ExitCode}: {output.Failure ?? result.FailureTail}", terminal: false) { CostUsd = cost };
        }

        if (output.Failure is not null || output.Message is null)
        {
            throw new AttemptFailedException(output.Failure is null ? "codex printed no agent message" : $"codex turn failed: {output.Failure}", terminal: false) { CostUsd = cost };
        }

        return new HarnessResult(output.Message, cost, output.InputTokens, output.OutputTokens);
    }
}
