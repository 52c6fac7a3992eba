using System.Globalization;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The <c>claude-code</c> harness (AUTHORING.md §9.1): <c>claude -p PROMPT --output-format stream-json --verbose
/// --include-partial-messages --model M --permission-mode bypassPermissions</c> (streaming instead of the spec's
/// <c>json</c>, so that cost is known during the step), plus <c>--max-budget-usd &lt;remaining&gt;</c> under a spend
/// cap; stdin empty and closed. The final <c>result</c> line gives the message, <c>total_cost_usd</c> and tokens.
/// When the running cost reaches the step's remaining budget the process tree is killed and the step fails
/// terminally with <c>budget exceeded</c>. A non-zero exit, no result line, or <c>is_error</c> is a transient failure.
/// </summary>
public sealed class ClaudeCodeHarness(SandboxLauncher launcher, PriceTable prices, IOptions<RuntimeOptions> options) : IAgentHarness
{
    public const string Binary = "claude";

    public string Name => "claude-code";

    /// <summary>The argv the CLI gets (argv[0] is <c>claude</c>; the caller resolves it).</summary>
    public static IReadOnlyList<string> Argv(HarnessRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var argv = new List<string>
        {
            Binary, "-p", request.Prompt, "--output-format", "stream-json", "--verbose", "--include-partial-messages",
            "--model", request.Agent.Model, "--permission-mode", "bypassPermissions",
        };
        if (request.Spend is { } cap)
        {
            argv.Add("--max-budget-usd");
            argv.Add(cap.RemainingUsd.ToString("0.######", CultureInfo.InvariantCulture));
        }

        return argv;
    }

    public Task<HarnessResult> RunAsync(HarnessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return launcher.RunAsync(request, ["api.anthropic.com"], async (launch, ct) =>
        {
            if (!HasKey(launch.Environment))
            {
                throw new AttemptFailedException("harness key missing: the sandbox env provides no ANTHROPIC_API_KEY (nor $HOME/.claude/.credentials.json)", terminal: true);
            }

            var argv = Argv(request).ToList();
            argv[0] = StreamingRun.Find(launch, Binary);
            var stream = new ClaudeOutput(prices, request.Agent.Model);
            var cap = request.Spend;
            var result = await StreamingRun.RunAsync(launch, argv, request, options.Value, stream.Accept, () => stream.RunningCostUsd, ct).ConfigureAwait(false);
            var spent = stream.TotalCostUsd ?? stream.RunningCostUsd;
            if (stream.Subtype == "error_max_budget_usd" && cap is not null)
            {
                throw cap.Exceeded(spent, "the CLI stopped at --max-budget-usd");
            }

            if (!stream.HasResult)
            {
                var why = result.ExitCode != 0 ? $"claude exited with code {result.ExitCode}" : "claude printed no result";
                throw new AttemptFailedException($"{why}: {result.FailureTail}", terminal: false) { CostUsd = spent };
            }

            if (stream.IsError || result.ExitCode != 0)
            {
                var detail = stream.Result ?? stream.Errors ?? result.FailureTail;
                throw new AttemptFailedException($"claude reported an error ({stream.Subtype ?? "is_error"}, exit code {result.ExitCode}): {detail}", terminal: false) { CostUsd = spent };
            }

            return new HarnessResult(stream.Result ?? string.Empty, stream.TotalCostUsd, stream.InputTokens, stream.OutputTokens);
        }, cancellationToken);
    }

    /// <summary>An API key, or OAuth credentials under the sandbox's <c>HOME</c> (AUTHORING.md §2.1).</summary>
    public static bool HasKey(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.TryGetValue("ANTHROPIC_API_KEY", out var key) && key.Length > 0
            || environment.TryGetValue("HOME", out var home) && File.Exists(Path.Combine(home, ".claude", ".credentials.json"));
    }
}
