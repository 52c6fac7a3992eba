namespace Loopy.Runtime.Harness;

/// <summary>
/// Runs an LLM agent CLI whose stdout streams JSON lines (claude-code, codex, opencode): stdin empty and closed, each
/// line handed to the harness's parser, and the step's spend cap enforced while it runs: when the parser's running
/// cost reaches what the step may still spend, the process tree is killed and the attempt fails terminally with
/// <c>budget exceeded</c> and the figures. Other failures carry the running cost, which counts against the cap.
/// </summary>
public static class StreamingRun
{
    public static async Task<AgentProcessResult> RunAsync(
        AgentLaunch launch,
        IReadOnlyList<string> argv,
        HarnessRequest request,
        RuntimeOptions settings,
        Action<string> accept,
        Func<double> runningCost,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(accept);
        ArgumentNullException.ThrowIfNull(runningCost);
        var cap = request.Spend;
        using var overBudget = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overBudget.Token);
        try
        {
            return await AgentProcess.RunAsync(launch.StartInfo(argv), null, launch.WallClock, settings.MaxReplyBytes, settings.MaxStderrChars, line =>
            {
                accept(line);
                if (cap is not null && !overBudget.IsCancellationRequested && runningCost() >= cap.RemainingUsd)
                {
                    overBudget.Cancel();
                }
            }, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (overBudget.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw cap!.Exceeded(runningCost(), "the agent's process tree was stopped during the step");
        }
        catch (AttemptFailedException ex)
        {
            throw new AttemptFailedException(ex.Message, ex.Terminal) { CostUsd = runningCost() };
        }
    }

    /// <summary>The program on the sandbox's PATH, or the terminal failure of a CLI missing in the sandbox.</summary>
    public static string Find(AgentLaunch launch, string binary)
    {
        ArgumentNullException.ThrowIfNull(launch);
        return launch.FindProgram(binary) ?? throw new AttemptFailedException($"'{binary}' not found on the sandbox PATH", terminal: true);
    }
}
