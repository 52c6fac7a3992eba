using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The <c>codex</c> harness (AUTHORING.md §9.1): <c>codex exec PROMPT --json --model M
/// --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check</c>, stdin empty and closed. Cost is the
/// streamed <c>turn.completed</c> usage priced by the runtime's price table, enforced against the step's cap while it
/// runs. A non-zero exit, a failed turn or no agent message is a transient failure.
/// </summary>
public sealed class CodexHarness(SandboxLauncher launcher, PriceTable prices, IOptions<RuntimeOptions> options) : IAgentHarness
{
    public const string Binary = "codex";

    public string Name => "codex";

    public static IReadOnlyList<string> Argv(HarnessRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [Binary, "exec", request.Prompt, "--json", "--model", request.Agent.Model, "--dangerously-bypass-approvals-and-sandbox", "--skip-git-repo-check"];
    }

    public Task<HarnessResult> RunAsync(HarnessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return launcher.RunAsync(request, ["api.openai.com"], async (launch, ct) =>
        {
            if (!launch.Environment.TryGetValue("OPENAI_API_KEY", out var key) || key.Length == 0)
            {
                throw new AttemptFailedException("harness key missing: the sandbox env provides no OPENAI_API_KEY", terminal: true);
            }

            var argv = Argv(request).ToList();
            argv[0] = StreamingRun.Find(launch, Binary);
            var output = new CodexOutput(prices.Find(request.Agent.Model));
            var result = await StreamingRun.RunAsync(launch, argv, request, options.Value, output.Accept, () => output.CostUsd, ct).ConfigureAwait(false);
            return Finish(result, output);
        }, cancellationToken);
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
