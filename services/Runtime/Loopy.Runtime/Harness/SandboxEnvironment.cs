using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Loopy.Contracts.Manifest;

namespace Loopy.Runtime.Harness;

/// <summary>
/// The environment an agent process gets (AUTHORING.md §2.2, §8.4): nothing inherited from the engine;
/// the sandbox's env files (read now, relative to the project root, never escaping it, not even through a
/// symbolic link), then its <c>env:</c> forwards (<c>&lt;PREFIX&gt;_&lt;KEY&gt;</c> from the engine environment),
/// then what the provider adds (an egress proxy), with a <c>GITHUB_TOKEN</c> the <c>GIT_CONFIG_*</c> variables of a
/// credential helper for github.com, then the <c>LOOPY_*</c> variables; <c>PATH</c> and <c>HOME</c>
/// supplied when the env files set neither. Every value that came from an env file or a forward is a secret.
/// </summary>
public static partial class SandboxEnvironment
{
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>The sandbox's own variables (env files, then forwards) and the secrets among them, before Loopy's.</summary>
    public static (Dictionary<string, string> Variables, SecretRedactor Secrets) Declared(string projectRoot, string sandboxName, ManifestSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(sandboxName);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in sandbox.EnvFile)
        {
            foreach (var (key, value) in ReadEnvFile(projectRoot, file))
            {
                env[key] = value;
            }
        }

        foreach (var key in sandbox.Env)
        {
            if (Environment.GetEnvironmentVariable(ForwardedName(sandboxName, key)) is { } forwarded)
            {
                env[key] = forwarded;
            }
        }

        return (env, SecretRedactor.For(env));
    }

    /// <summary>The engine variable an <c>env:</c> entry is forwarded from: <c>&lt;PREFIX&gt;_&lt;KEY&gt;</c>.</summary>
    public static string ForwardedName(string sandboxName, string key)
    {
        ArgumentNullException.ThrowIfNull(sandboxName);
        return $"{NonAlphanumeric().Replace(sandboxName.ToUpperInvariant(), "_")}_{key}";
    }

    /// <summary>The full environment: declared variables, <c>PATH</c>/<c>HOME</c> defaults, the provider's variables, then <c>LOOPY_*</c>.</summary>
    public static Dictionary<string, string> Build(HarnessRequest request, IReadOnlyDictionary<string, string> declared, string home, IReadOnlyDictionary<string, string> provider, string contextPath)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(provider);
        var env = new Dictionary<string, string>(declared, StringComparer.Ordinal);
        env.TryAdd("PATH", DefaultPath);
        env.TryAdd("HOME", home);
        foreach (var (key, value) in provider)
        {
            env[key] = value;
        }

        // A GITHUB_TOKEN signs git in for github.com (§8.4), through a credential helper that reads the variable.
        env = RepoCloner.WithCredentials(env);

        env["LOOPY_RUN_ID"] = request.RunId;
        env["LOOPY_STEP_ID"] = request.StepId;
        env["LOOPY_ATTEMPT"] = request.Attempt.ToString(CultureInfo.InvariantCulture);
        env["LOOPY_EVENT_ID"] = request.EventId;
        env["LOOPY_IDEMPOTENCY_KEY"] = request.IdempotencyKey;
        env["LOOPY_MODEL"] = request.Agent.Model;
        env["LOOPY_CONTEXT"] = contextPath;
        return env;
    }

    /// <summary>
    /// The env file's real path (every symbolic link resolved), or a terminal failure when the path is absolute, climbs
    /// out with <c>..</c>, leaves the project root through a link, or does not exist.
    /// </summary>
    public static string ResolveEnvFile(string projectRoot, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(projectRoot);
        ArgumentNullException.ThrowIfNull(relativePath);
        if (Path.IsPathRooted(relativePath))
        {
            throw new AttemptFailedException($"env_file '{relativePath}' is an absolute path: env files must be relative to the project root", terminal: true);
        }

        var root = RealPath(Path.GetFullPath(projectRoot));
        var lexical = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!IsUnder(lexical, root))
        {
            throw new AttemptFailedException($"env_file '{relativePath}' escapes the project root", terminal: true);
        }

        if (!File.Exists(lexical))
        {
            throw new AttemptFailedException($"env_file '{relativePath}' is missing (looked for it under the project root)", terminal: true);
        }

        var real = RealPath(lexical);
        if (!IsUnder(real, root))
        {
            throw new AttemptFailedException($"env_file '{relativePath}' escapes the project root through a symbolic link", terminal: true);
        }

        return real;
    }

    /// <summary>Reads an env file per §1: trimmed lines, <c>#</c> comments, split at the first <c>=</c>, one pair of quotes dropped.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ReadEnvFile(string projectRoot, string relativePath)
    {
        var path = ResolveEnvFile(projectRoot, relativePath);
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

    private static bool IsUnder(string path, string root) =>
        path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link among its components resolved (as <c>realpath</c>; at most 40 links).</summary>
    private static string RealPath(string fullPath)
    {
        var hops = 0;
        var pending = new Stack<string>(fullPath.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var current = Path.DirectorySeparatorChar.ToString();
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40)
                {
                    throw new AttemptFailedException($"too many symbolic links in '{fullPath}'", terminal: true);
                }

                foreach (var piece in target.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(piece);
                }

                if (Path.IsPathRooted(target))
                {
                    current = Path.DirectorySeparatorChar.ToString();
                }

                continue;
            }

            current = next;
        }

        return current;
    }

    [GeneratedRegex("[^A-Z0-9]")]
    private static partial Regex NonAlphanumeric();
}
