using System.Globalization;
using Loopy.Contracts.Manifest;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// The <c>local</c> provider (AUTHORING.md §2.2): no isolation beyond a fresh working directory and <c>HOME</c> per
/// attempt (under <c>Loopy:Runtime:SandboxDirectory</c>, else the system temp folder) and, when the Runtime runs as
/// root, an unprivileged agent user (<c>Loopy:Runtime:AgentUser</c>, dropped to with <c>setpriv</c>) that owns both
/// folders. It cannot restrict egress: a sandbox with a non-empty <c>network:</c> fails preflight unless
/// <c>Loopy:Runtime:AllowUnenforcedEgress</c> is set.
/// </summary>
public sealed class LocalSandboxProvider(IOptions<RuntimeOptions> options) : ISandboxProvider
{
    public string Name => "local";

    /// <summary>The uid and gid agents run as, or null when they keep the Runtime's own user (not root, or dropping is off).</summary>
    public (int Uid, int Gid)? AgentUser
    {
        get
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || string.IsNullOrWhiteSpace(options.Value.AgentUser))
            {
                return null;
            }

            var parts = options.Value.AgentUser.Split(':', 2);
            if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) ||
                !int.TryParse(parts.Length > 1 ? parts[1] : parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                throw new InvalidOperationException($"Loopy:Runtime:AgentUser '{options.Value.AgentUser}' is not uid:gid");
            }

            return (uid, gid);
        }
    }

    public IReadOnlyList<string> Preflight(string sandboxName, ManifestSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        var problems = new List<string>();
        if (sandbox.Network.Count > 0 && !options.Value.AllowUnenforcedEgress)
        {
            problems.Add($"sandbox '{sandboxName}': provider 'local' cannot enforce the network allowlist ({string.Join(", ", sandbox.Network)}); use provider 'bwrap', or set Loopy:Runtime:AllowUnenforcedEgress for development");
        }

        try
        {
            if (AgentUser is not null && FindSetpriv() is null)
            {
                problems.Add($"sandbox '{sandboxName}': the runtime runs as root and agents must not: 'setpriv' (util-linux) is missing, or set Loopy:Runtime:AgentUser to empty");
            }
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"sandbox '{sandboxName}': {ex.Message}");
        }

        return problems;
    }

    public Task<ISandboxSession> AcquireAsync(SandboxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var user = AgentUser;
        var setpriv = user is null ? null : FindSetpriv() ?? throw new InvalidOperationException("setpriv is missing: agents cannot drop root");
        var baseDirectory = options.Value.SandboxDirectory is { Length: > 0 } configured ? Directory.CreateDirectory(configured).FullName : Path.GetTempPath();
        var root = Path.Combine(baseDirectory, $"loopy-sbx-{Guid.NewGuid():N}");
        try
        {
            // The agent user must be able to walk into its folders, nobody else to list them.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(root);
            }
            else
            {
                Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
            var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
            ISandboxSession session = new LocalSandboxSession(root, work, home, user, setpriv);
            return Task.FromResult(session);
        }
        catch
        {
            LocalSandboxSession.TryDelete(root);
            throw;
        }
    }

    private static readonly string[] SetprivPaths = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv", "/sbin/setpriv"];

    private static string? FindSetpriv() => SetprivPaths.FirstOrDefault(File.Exists);
}
