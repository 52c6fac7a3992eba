using System.Diagnostics;
using Loopy.Contracts.Manifest;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// A sandbox provider (AUTHORING.md §2.2, <c>provider:</c>): gives one step attempt a fresh, writable working
/// directory and runs the agent's process inside whatever isolation the provider offers. Harnesses never start
/// a process themselves: they ask the session for a <see cref="ProcessStartInfo"/>.
/// </summary>
public interface ISandboxProvider
{
    /// <summary>The manifest's <c>provider</c> value this implementation serves (<c>local</c>, <c>bwrap</c>).</summary>
    string Name { get; }

    /// <summary>
    /// What makes this provider unusable for <paramref name="sandbox"/> on this host (a missing binary, an egress
    /// allowlist it cannot enforce); empty when usable. Called at preflight, before a run starts.
    /// </summary>
    IReadOnlyList<string> Preflight(string sandboxName, ManifestSandbox sandbox);

    /// <summary>Creates the attempt's working directory and <c>HOME</c> and whatever else isolation needs (an egress proxy).</summary>
    Task<ISandboxSession> AcquireAsync(SandboxRequest request, CancellationToken cancellationToken);
}

/// <summary>One attempt's sandbox request.</summary>
/// <param name="RunId">The run id (for logs and the egress proxy's decisions).</param>
/// <param name="StepId"><c>&lt;workflow&gt;/&lt;step&gt;</c>.</param>
/// <param name="Attempt">From 1.</param>
/// <param name="ProjectRoot">The project root (read-only for the agent).</param>
/// <param name="SandboxName">The sandbox's registry name.</param>
/// <param name="Sandbox">The sandbox as compiled.</param>
/// <param name="HarnessHosts">Hosts the harness itself needs (the model API host), allowed in addition to <c>network:</c>.</param>
public sealed record SandboxRequest(
    string RunId,
    string StepId,
    int Attempt,
    string ProjectRoot,
    string SandboxName,
    ManifestSandbox Sandbox,
    IReadOnlyCollection<string> HarnessHosts)
{
    /// <summary>
    /// Files under <see cref="ProjectRoot"/> (relative paths: the manifest's <c>env_file</c>s) the agent must not read; a
    /// provider that shows it the project root hides them, with <c>loopy.env</c>, <c>.env</c> files and <c>.loopy/</c>.
    /// </summary>
    public IReadOnlyList<string> SecretFiles { get; init; } = [];
}

/// <summary>
/// One attempt's sandbox. Paths are the same inside and outside (providers bind the folders at the same path), so
/// the harness may write the context file and skills into <see cref="WorkingDirectory"/> before starting the agent.
/// Disposing it stops everything started in it and removes the folders.
/// </summary>
public interface ISandboxSession : IAsyncDisposable
{
    /// <summary>A fresh folder, writable by the agent; the agent process's working directory.</summary>
    string WorkingDirectory { get; }

    /// <summary>A fresh folder the agent may write, used as <c>HOME</c> unless the env files set one.</summary>
    string Home { get; }

    /// <summary>
    /// Variables the provider adds to the agent's environment (for example <c>HTTPS_PROXY</c> pointing at the
    /// egress proxy); the harness applies them after the sandbox env, before the <c>LOOPY_*</c> variables.
    /// </summary>
    IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>
    /// A start info that runs <paramref name="argv"/> (argv[0] resolved by the caller or left to the sandbox's
    /// <c>PATH</c>) inside the sandbox with exactly <paramref name="environment"/>, in <see cref="WorkingDirectory"/>,
    /// as an unprivileged user when the runtime runs as root. The caller sets the redirects and starts it.
    /// </summary>
    ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment);
}
