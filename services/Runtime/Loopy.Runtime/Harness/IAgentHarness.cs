namespace Loopy.Runtime.Harness;

/// <summary>
/// Runs one attempt of a step with an agent CLI (AUTHORING.md §9.1). <c>exec</c> is implemented here;
/// <c>claude-code</c>, <c>codex</c> and <c>opencode</c> plug in as further implementations that build their
/// argv from <see cref="HarnessRequest"/> and parse their CLI's envelope into a <see cref="HarnessResult"/>.
/// An attempt that fails throws <see cref="AttemptFailedException"/> (terminal or transient, §8.5); a
/// cancelled token means the lease was lost or the replica is stopping: the process tree is killed.
/// </summary>
public interface IAgentHarness
{
    /// <summary>The manifest's <c>harness</c> value this implementation serves.</summary>
    string Name { get; }

    Task<HarnessResult> RunAsync(HarnessRequest request, CancellationToken cancellationToken);
}
