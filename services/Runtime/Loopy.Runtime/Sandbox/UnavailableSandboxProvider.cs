using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// A provider the format names but this runtime cannot run (AUTHORING.md §2.2: <c>docker</c>, <c>daytona</c>): it
/// fails preflight with a clear error, and an attempt that gets this far fails terminally, rather than pretending.
/// </summary>
public abstract class UnavailableSandboxProvider(string name) : ISandboxProvider
{
    public string Name { get; } = name;

    private string Problem => $"sandbox provider '{Name}' is not available on this host";

    public IReadOnlyList<string> Preflight(string sandboxName, ManifestSandbox sandbox) => [Problem];

    public Task<ISandboxSession> AcquireAsync(SandboxRequest request, CancellationToken cancellationToken) =>
        throw new AttemptFailedException(Problem, terminal: true);
}
