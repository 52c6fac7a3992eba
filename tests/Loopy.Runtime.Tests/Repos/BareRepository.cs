using System.Diagnostics;

namespace Loopy.Runtime.Tests.Repos;

/// <summary>
/// A real bare git repository in a temporary folder, cloned over <c>file://</c>: <c>main</c> has two commits (the
/// first adds <c>one.txt</c> and is tagged <c>v1</c>, the second adds <c>two.txt</c>), <c>feature</c> branches off the
/// first and adds <c>feature.txt</c>. Everything is world-readable, so an agent user can clone it.
/// </summary>
public sealed class BareRepository : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loopy-rt-git-").FullName;

    public BareRepository(string name = "widgets")
    {
        var bare = Path.Combine(_folder, $"{name}.git");
        var work = Path.Combine(_folder, "work");
        Git(_folder, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        Git(_folder, "init", "--quiet", "--initial-branch=main", work);
        File.WriteAllText(Path.Combine(work, "one.txt"), "one\n");
        Commit(work, "one");
        FirstCommit = Git(work, "rev-parse", "HEAD").Trim();
        Git(work, "tag", "v1");
        Git(work, "checkout", "--quiet", "-b", "feature");
        File.WriteAllText(Path.Combine(work, "feature.txt"), "feature\n");
        Commit(work, "feature");
        Git(work, "checkout", "--quiet", "main");
        File.WriteAllText(Path.Combine(work, "two.txt"), "two\n");
        Commit(work, "two");
        SecondCommit = Git(work, "rev-parse", "HEAD").Trim();
        Git(work, "push", "--quiet", bare, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*");
        GlobalConfig = Path.Combine(_folder, "gitconfig");
        File.WriteAllText(GlobalConfig, "[safe]\n\tdirectory = *\n");
        Run("chmod", _folder, "-R", "a+rX", _folder);
        Folder = _folder;
        Url = new Uri(bare).AbsoluteUri;
    }

    /// <summary>The folder holding the bare repository (bound read-only into a bwrap sandbox).</summary>
    public string Folder { get; }

    /// <summary><c>file:///…/&lt;name&gt;.git</c>.</summary>
    public string Url { get; }

    public string FirstCommit { get; }

    public string SecondCommit { get; }

    /// <summary>A git global config trusting every repository (<c>safe.directory = *</c>), inside <see cref="Folder"/>.</summary>
    public string GlobalConfig { get; }

    /// <summary>
    /// Variables that let an agent user clone a repository root owns (git refuses "dubious ownership" otherwise), as a
    /// sandbox would set them in an env file. Not <c>GIT_CONFIG_COUNT</c>: git drops it for a local transport's
    /// upload-pack, and honours <c>safe.directory</c> only in protected (system, global, command) config.
    /// </summary>
    public Dictionary<string, string> SafeDirectoryVariables => new() { ["GIT_CONFIG_GLOBAL"] = GlobalConfig };

    /// <summary>Runs git in <paramref name="directory"/> (any owner) and returns stdout; throws on a non-zero exit.</summary>
    public static string Git(string directory, params string[] args) =>
        Run("git", directory, ["-c", "safe.directory=*", "-c", "user.name=Loopy Tests", "-c", "user.email=tests@loopy.invalid", .. args]);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void Commit(string work, string message)
    {
        Git(work, "add", "--all");
        Git(work, "commit", "--quiet", "-m", message);
    }

    private static string Run(string program, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? stdout
            : throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
    }
}
