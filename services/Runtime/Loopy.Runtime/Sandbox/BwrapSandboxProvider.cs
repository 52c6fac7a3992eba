using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// The <c>bwrap</c> provider (AUTHORING.md §2.2): each attempt runs under bubblewrap with a read-only system, a
/// private <c>/tmp</c>, only its own working directory and <c>HOME</c> writable, the project root read-only with its
/// env files, <c>loopy.env</c>, <c>.env</c> files and <c>.loopy/</c> hidden (<see cref="ProjectSecrets"/>), no view of the
/// host's home folders, new pid/net/ipc/uts namespaces, as an unprivileged user, with a process limit. Its only route
/// out is the attempt's <see cref="EgressProxy"/>, which enforces the sandbox's <c>network:</c> allowlist (plus the
/// harness's and the <c>repos:</c> hosts); with an empty list it still proxies, allowing every public address.
/// </summary>
public sealed class BwrapSandboxProvider(IOptions<BwrapOptions> options, ILogger<BwrapSandboxProvider> logger) : ISandboxProvider
{
    private readonly Lazy<BwrapHost> _host = new(() => BwrapHost.Detect(options.Value));

    public string Name => "bwrap";

    public IReadOnlyList<string> Preflight(string sandboxName, ManifestSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        return [
            .. _host.Value.Problems,
            .. EgressPolicy.InvalidEntries(sandbox.Network).Select(e =>
                $"sandbox '{sandboxName}': network entry '{e}' is not a host name, *.domain or IP address (with an optional :port)"),
        ];
    }

    public Task<ISandboxSession> AcquireAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = Preflight(request.SandboxName, request.Sandbox);
        if (problems.Count > 0)
        {
            throw new AttemptFailedException(string.Join("; ", problems), terminal: true);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!OperatingSystem.IsLinux())
        {
            throw new AttemptFailedException("sandbox provider 'bwrap' needs Linux", terminal: true);
        }

        return Task.FromResult<ISandboxSession>(BwrapSandboxSession.Create(request, _host.Value, options.Value, logger));
    }
}
