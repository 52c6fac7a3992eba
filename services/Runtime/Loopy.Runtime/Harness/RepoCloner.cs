using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Loopy.Contracts.Manifest;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Clones a sandbox's <c>repos:</c> into the attempt's working directory before the agent starts (AUTHORING.md §2.2,
/// §8.4): <c>owner/name</c> is <c>https://github.com/owner/name.git</c>, the folder is <c>path</c> or the repository's
/// name, the clone is shallow per <c>depth</c> (1 by default, null = full) and <c>ref</c> is checked out. <c>git</c>
/// runs through the sandbox session like the agent (as the agent user, behind the sandbox's egress policy). A
/// <c>GITHUB_TOKEN</c> in the sandbox env reaches git only through <c>GIT_CONFIG_*</c> variables defining a credential
/// helper for <c>https://github.com</c> that reads the variable when git asks: never in argv, a URL or a file.
/// </summary>
public static partial class RepoCloner
{
    /// <summary>The credential key git gets the token for (AUTHORING.md §8.4).</summary>
    public const string CredentialKey = "credential.https://github.com.helper";

    /// <summary>A helper answering git's <c>get</c> with the token read from the environment at that moment.</summary>
    public const string CredentialHelper = "!f() { test \"$1\" = get || exit 0; echo username=x-access-token; echo \"password=$GITHUB_TOKEN\"; }; f";

    /// <summary>The URL git clones: <c>owner/name</c> → <c>https://github.com/owner/name.git</c>; anything else unchanged.</summary>
    public static string CloneUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return OwnerName().IsMatch(url) ? $"https://github.com/{url}.git" : url;
    }

    /// <summary>The repo's folder, relative to the working directory: <c>path</c>, else the repository's name.</summary>
    public static string Folder(ManifestRepo repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        if (!string.IsNullOrEmpty(repo.Path))
        {
            return repo.Path;
        }

        var url = repo.Url.TrimEnd('/');
        var name = url[(url.LastIndexOfAny(['/', ':']) + 1)..];
        return name.EndsWith(".git", StringComparison.Ordinal) ? name[..^4] : name;
    }

    /// <summary>
    /// Why the repo cannot be cloned as declared (a URL git would read as an option, a folder outside the working
    /// directory, a bad depth), or null. Checked at preflight and again before cloning.
    /// </summary>
    public static string? Problem(string sandboxName, ManifestRepo repo)
    {
        ArgumentNullException.ThrowIfNull(repo);
        var folder = Folder(repo);
        if (repo.Url.Length == 0 || repo.Url.StartsWith('-'))
        {
            return $"sandbox '{sandboxName}': repo '{repo.Url}' is not a repository URL";
        }

        if (folder.Length == 0 || folder == "." || Path.IsPathRooted(folder) || folder.StartsWith('-')
            || folder.Split('/', '\\').Any(part => part == ".."))
        {
            return $"sandbox '{sandboxName}': repo '{repo.Url}' path '{folder}' escapes the working directory (it must be a relative folder without '..')";
        }

        if (repo.Depth is <= 0)
        {
            return $"sandbox '{sandboxName}': repo '{repo.Url}' depth {repo.Depth} must be at least 1 (or null for a full clone)";
        }

        return null;
    }

    /// <summary>
    /// The git commands that clone <paramref name="repo"/>, run in order in the working directory. A <c>ref</c> that
    /// is a full commit id cannot be given to <c>clone --branch</c>: a shallow clone of it fetches that commit into a
    /// fresh repository; a full clone checks it out after cloning.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Commands(string git, ManifestRepo repo)
    {
        ArgumentNullException.ThrowIfNull(git);
        ArgumentNullException.ThrowIfNull(repo);
        var url = CloneUrl(repo.Url);
        var folder = Folder(repo);
        var depth = repo.Depth is { } d ? new[] { "--depth", d.ToString(CultureInfo.InvariantCulture) } : [];
        if (repo.Ref is { Length: > 0 } reference && CommitId().IsMatch(reference))
        {
            return repo.Depth is null
                ? [
                    [git, "clone", "--quiet", "--no-checkout", "--", url, folder],
                    [git, "-C", folder, "checkout", "--quiet", "--detach", reference],
                ]
                : [
                    [git, "init", "--quiet", "--", folder],
                    [git, "-C", folder, "remote", "add", "origin", url],
                    [git, "-C", folder, "fetch", "--quiet", .. depth, "origin", reference],
                    [git, "-C", folder, "checkout", "--quiet", "--detach", "FETCH_HEAD"],
                ];
        }

        var branch = repo.Ref is { Length: > 0 } named ? new[] { "--branch", named } : [];
        return [[git, "clone", "--quiet", .. depth, .. branch, "--", url, folder]];
    }

    /// <summary>
    /// <paramref name="environment"/> plus, when it holds a <c>GITHUB_TOKEN</c>, a credential helper for
    /// <c>https://github.com</c> appended to any <c>GIT_CONFIG_*</c> entries already there. The token stays in its
    /// own variable; the helper only names it.
    /// </summary>
    public static Dictionary<string, string> WithCredentials(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var env = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        if (!env.TryGetValue("GITHUB_TOKEN", out var token) || token.Length == 0)
        {
            return env;
        }

        var count = env.TryGetValue("GIT_CONFIG_COUNT", out var existing) && int.TryParse(existing, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        var index = count.ToString(CultureInfo.InvariantCulture);
        env[$"GIT_CONFIG_KEY_{index}"] = CredentialKey;
        env[$"GIT_CONFIG_VALUE_{index}"] = CredentialHelper;
        env["GIT_CONFIG_COUNT"] = (count + 1).ToString(CultureInfo.InvariantCulture);
        return env;
    }

    /// <summary>
    /// Clones every repo into the sandbox's working directory with <paramref name="launch"/>'s environment (which
    /// carries the credential helper, <see cref="SandboxEnvironment.Build"/>), never prompting. A repo declared wrongly
    /// fails the attempt terminally; a failing clone fails it (retried) with git's error, secrets and URL credentials
    /// masked. The git commands share <paramref name="launch"/>'s wall clock; returns what is left of it for the agent.
    /// </summary>
    public static async Task<TimeSpan> CloneAsync(AgentLaunch launch, IReadOnlyList<ManifestRepo> repos, string sandboxName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(launch);
        ArgumentNullException.ThrowIfNull(repos);
        if (repos.Count == 0)
        {
            return launch.WallClock;
        }

        foreach (var repo in repos)
        {
            if (Problem(sandboxName, repo) is { } problem)
            {
                throw new AttemptFailedException(problem, terminal: true);
            }
        }

        var git = launch.FindProgram("git")
            ?? throw new AttemptFailedException($"sandbox '{sandboxName}': 'repos:' needs git, which is not on the sandbox PATH", terminal: true);
        var env = new Dictionary<string, string>(launch.Environment, StringComparer.Ordinal) { ["GIT_TERMINAL_PROMPT"] = "0" };
        env.Remove("GIT_ASKPASS");
        env.Remove("SSH_ASKPASS");
        var started = Stopwatch.GetTimestamp();
        var left = launch.WallClock;
        foreach (var repo in repos)
        {
            var redactor = new SecretRedactor(UrlSecrets(repo.Url));
            foreach (var argv in Commands(git, repo))
            {
                var result = await AgentProcess.RunAsync(launch.Session.CreateStartInfo(argv, env), null, left, 64 * 1024, 4000, null, cancellationToken)
                    .ConfigureAwait(false);
                if (result.ExitCode != 0)
                {
                    var hint = env.ContainsKey("GITHUB_TOKEN") ? string.Empty : " (the sandbox env has no GITHUB_TOKEN: a private repository needs one)";
                    var message = $"repo '{repo.Url}' could not be cloned into '{Folder(repo)}': git exited with code {result.ExitCode}: {result.FailureTail.Trim()}{hint}";
                    throw new AttemptFailedException(launch.Secrets.Redact(redactor.Redact(message)), terminal: false);
                }

                left = launch.WallClock - Stopwatch.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    throw new AttemptFailedException($"wall-clock budget exceeded ({launch.WallClock.TotalSeconds:0.###} s) while cloning the repos", terminal: true);
                }
            }
        }

        return left;
    }

    /// <summary>The user-info of a URL (<c>https://user:token@host/…</c>) and its password, which git may echo in its errors.</summary>
    private static IEnumerable<string> UrlSecrets(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
        {
            yield return uri.UserInfo;
            yield return Uri.UnescapeDataString(uri.UserInfo);
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                yield return uri.UserInfo[(colon + 1)..];
                yield return Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex OwnerName();

    [GeneratedRegex("^(?:[0-9a-f]{40}|[0-9a-f]{64})$")]
    private static partial Regex CommitId();
}
