using Loopy.Contracts.Manifest;

namespace Loopy.Runtime.Harness;

/// <summary>Everything a harness needs for one attempt.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="StepId"><c>&lt;workflow&gt;/&lt;step&gt;</c>.</param>
/// <param name="Attempt">From 1.</param>
/// <param name="EventId">The triggering event's id.</param>
/// <param name="AgentName">The agent's registry name.</param>
/// <param name="Agent">The agent (defaults applied).</param>
/// <param name="SandboxName">The sandbox's registry name.</param>
/// <param name="Sandbox">The sandbox the agent runs in.</param>
/// <param name="Prompt">Rendered body plus reply instruction.</param>
/// <param name="Context">The JSON of <c>LOOPY_CONTEXT</c> (<c>{run_id, step_id, attempt, event, upstream, output_schema, emits}</c>).</param>
/// <param name="ProjectRoot">The project root.</param>
/// <param name="WallClock">The attempt's wall-clock budget; on expiry the process tree is killed and the step fails terminally.</param>
/// <param name="Spend">The step's spend cap and what earlier attempts spent, when a cap applies (§8.6).</param>
public sealed record HarnessRequest(
    string RunId,
    string StepId,
    int Attempt,
    string EventId,
    string AgentName,
    ManifestAgent Agent,
    string SandboxName,
    ManifestSandbox Sandbox,
    string Prompt,
    string Context,
    string ProjectRoot,
    TimeSpan WallClock,
    SpendCap? Spend = null)
{
    /// <summary>
    /// The project's secret files, relative to the project root: every sandbox's <c>env_file</c>s in the manifest. A
    /// provider that shows the agent the project root hides them (with <c>loopy.env</c>, <c>.env</c> files and <c>.loopy/</c>).
    /// </summary>
    public IReadOnlyList<string> SecretFiles { get; init; } = [];

    /// <summary><c>&lt;run_id&gt;:&lt;step_id&gt;</c>: the same for every attempt and after a takeover (§8.4).</summary>
    public string IdempotencyKey => $"{RunId}:{StepId}";
}
