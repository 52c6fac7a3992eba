using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The <c>opencode</c> harness (AUTHORING.md §9.1): <c>opencode run PROMPT --format json --model provider/model --auto</c>,
/// stdin empty and closed; the model is made canonical (bare <c>claude-…</c> → <c>anthropic/claude-…</c>, bare
/// <c>gpt-…</c>/<c>codex…</c> → <c>openai/…</c>). Cost is summed from the streamed <c>step_finish</c> parts and
/// enforced against the step's cap while it runs. A non-zero exit, an error line or no text is a transient failure.
/// </summary>
public sealed class OpencodeHarness(SandboxLauncher launcher, IOptions<RuntimeOptions> options) : IAgentHarness
{
    public const string Binary = "opencode";

    public string Name => "opencode";

    public static string CanonicalModel(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Contains('/', StringComparison.Ordinal))
        {
            return model;
        }

        return model.StartsWith("claude-", StringComparison.Ordinal) ? $"anthropic/{model}" : $"openai/{model}";
    }

    /// <summary>The key the model's provider needs.</summary>
    public static string Key(string model) =>
        CanonicalModel(model).StartsWith("anthropic/", StringComparison.Ordinal) ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";

    public static IReadOnlyList<string> Argv(HarnessRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return [Binary, "run", request.Prompt, "--format", "json", "--model", CanonicalModel(request.Agent.Model), "--auto"];
    }

    public Task<HarnessResult> RunAsync(HarnessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = Key(request.Agent.Model);
        var host = key == "ANTHROPIC_API_KEY" ? "api.anthropic.com" : "api.openai.com";
        return launcher.RunAsync(request, [host], async (launch, ct) =>
        {
            if (!launch.Environment.TryGetValue(key, out var value) || value.Length == 0)
            {
                throw new AttemptFailedException($"harness key missing: the sandbox env provides no {key}", terminal: true);
            }

            var argv = Argv(request).ToList();
            argv[0] = StreamingRun.Find(launch, Binary);
            var output = new OpencodeOutput();
            var result = await StreamingRun.RunAsync(launch, argv, request, options.Value, output.Accept, () => output.CostUsd, ct).ConfigureAwait(false);
            return Finish(result, output);
        }, cancellationToken);
    }

    /// <summary>The attempt's result from the process's end and what its output said.</summary>
    public static HarnessResult Finish(AgentProcessResult result, OpencodeOutput output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        double? cost = output.SawCost ? output.CostUsd : null;
        if (result.ExitCode != 0)
        {
            throw new AttemptFailedException($"opencode exited with code {result.ExitCode}: {output.Failure ?? result.FailureTail}", terminal: false) { CostUsd = cost };
        }

        if (output.Failure is not null || output.Message is null)
        {
            throw new AttemptFailedException(output.Failure is null ? "opencode printed no text" : $"opencode reported an error: {output.Failure}", terminal: false) { CostUsd = cost };
        }

        return new HarnessResult(output.Message, cost, output.InputTokens, output.OutputTokens);
    }
}
