using System.Text;
using System.Text.RegularExpressions;
using Loopy.Contracts.Manifest;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The environment an agent process gets (AUTHORING.md §2.2, §8.4): nothing inherited from the engine;
/// the sandbox's env files (read now, relative to the project root, never escaping it), then its
/// <c>env:</c> forwards (<c>&lt;PREFIX&gt;_&lt;KEY&gt;</c> from the engine environment), then the
/// <c>LOOPY_*</c> variables; <c>PATH</c> and <c>HOME</c> supplied when the env files set neither.
/// </summary>
public static partial class SandboxEnvironment
{
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    public static Dictionary<string, string> Build(HarnessRequest request, string home, string contextPath)
    {
        ArgumentNullException.ThrowIfNull(request);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in request.Sandbox.EnvFile)
        {
            foreach (var (key, value) in ReadEnvFile(request.ProjectRoot, file))
            {
                env[key] = value;
            }
        }

        var prefix = NonAlphanumeric().Replace(request.SandboxName.ToUpperInvariant(), "_");
        foreach (var key in request.Sandbox.Env)
        {
            if (Environment.GetEnvironmentVariable($"{prefix}_{key}") is { } forwarded)
            {
                env[key] = forwarded;
            }
        }

        env.TryAdd("PATH", DefaultPath);
        env.TryAdd("HOME", home);
        env["LOOPY_RUN_ID"] = request.RunId;
        env["LOOPY_STEP_ID"] = request.StepId;
        env["LOOPY_ATTEMPT"] = request.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["LOOPY_EVENT_ID"] = request.EventId;
        env["LOOPY_IDEMPOTENCY_KEY"] = request.IdempotencyKey;
        env["LOOPY_MODEL"] = request.Agent.Model;
        env["LOOPY_CONTEXT"] = contextPath;
        return env;
    }

    /// <summary>Reads an env file per §1: trimmed lines, <c>#</c> comments, split at the first <c>=</c>, one pair of quotes dropped.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ReadEnvFile(string projectRoot, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(projectRoot);
        ArgumentNullException.ThrowIfNull(relativePath);
        var root = Path.GetFullPath(projectRoot);
        var path = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new AttemptFailedException($"env_file '{relativePath}' escapes the project root", terminal: true);
        }

        if (!File.Exists(path))
        {
            throw new AttemptFailedException($"env_file '{relativePath}' is missing", terminal: true);
        }

        var result = new List<KeyValuePair<string, string>>();
        foreach (var raw in File.ReadAllLines(path, Encoding.UTF8))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line.StartsWith('#') || eq < 0)
            {
                continue;
            }

            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            result.Add(new(key, value));
        }

        return result;
    }

    [GeneratedRegex("[^A-Z0-9]")]
    private static partial Regex NonAlphanumeric();
}
