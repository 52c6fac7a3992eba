using System.Diagnostics;
using Loopy.Runtime.Sandbox;

namespace Loopy.Runtime.Harness;

/// <summary>
/// An acquired sandbox ready for the agent: its session, the agent's full environment, the secrets to redact and the
/// wall clock left for the agent (the attempt's budget less what cloning its repos took).
/// </summary>
public sealed class AgentLaunch(ISandboxSession session, IReadOnlyDictionary<string, string> environment, SecretRedactor secrets, string projectRoot, TimeSpan wallClock)
{
    /// <summary>How long the agent process may run: what is left of the attempt's wall-clock budget.</summary>
    public TimeSpan WallClock { get; } = wallClock;

    public ISandboxSession Session { get; } = session;

    public IReadOnlyDictionary<string, string> Environment { get; } = environment;

    public SecretRedactor Secrets { get; } = secrets;

    /// <summary>
    /// The program's path: a name without <c>/</c> is looked up on the sandbox's <c>PATH</c>; a relative path is
    /// resolved against the project root; null when there is no such file (the CLI is missing in the sandbox).
    /// </summary>
    public string? FindProgram(string program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(Path.Combine(projectRoot, program));
            return File.Exists(full) ? full : null;
        }

        var path = Environment.TryGetValue("PATH", out var value) ? value : SandboxEnvironment.DefaultPath;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>The same launch with one more variable in the agent's environment (or one replaced).</summary>
    public AgentLaunch WithVariable(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        var environment = new Dictionary<string, string>(Environment, StringComparer.Ordinal) { [name] = value };
        return new AgentLaunch(Session, environment, Secrets, projectRoot, WallClock);
    }

    /// <summary>The start info for <paramref name="argv"/> inside the sandbox, with the agent's environment.</summary>
    public ProcessStartInfo StartInfo(IReadOnlyList<string> argv) => Session.CreateStartInfo(argv, Environment);
}
