using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Loopy.Runtime.Sandbox;

/// <summary>One attempt's <c>local</c> sandbox: two fresh folders, the agent started directly (or through <c>setpriv</c> as the agent user).</summary>
public sealed class LocalSandboxSession : ISandboxSession
{
    private readonly string _root;
    private readonly (int Uid, int Gid)? _user;
    private readonly string? _setpriv;

    internal LocalSandboxSession(string root, string workingDirectory, string home, (int Uid, int Gid)? user, string? setpriv)
    {
        _root = root;
        WorkingDirectory = workingDirectory;
        Home = home;
        _user = user;
        _setpriv = setpriv;
    }

    public string WorkingDirectory { get; }

    public string Home { get; }

    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Hands the folders over to the agent user (everything the harness wrote into them so far is chowned) and returns
    /// a start info running <paramref name="argv"/> in the working directory with exactly <paramref name="environment"/>.
    /// </summary>
    public ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        if (argv.Count == 0)
        {
            throw new ArgumentException("an empty argv", nameof(argv));
        }

        var start = new ProcessStartInfo { WorkingDirectory = WorkingDirectory, UseShellExecute = false };
        IEnumerable<string> rest = argv.Skip(1);
        if (_user is { } user)
        {
            ChownTree(WorkingDirectory, user.Uid, user.Gid);
            ChownTree(Home, user.Uid, user.Gid);
            start.FileName = _setpriv!;
            var uid = user.Uid.ToString(CultureInfo.InvariantCulture);
            var gid = user.Gid.ToString(CultureInfo.InvariantCulture);
            rest = new[] { "--reuid", uid, "--regid", gid, "--clear-groups", "--", argv[0] }.Concat(rest);
        }
        else
        {
            start.FileName = argv[0];
        }

        foreach (var arg in rest)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public ValueTask DisposeAsync()
    {
        TryDelete(_root);
        return ValueTask.CompletedTask;
    }

    internal static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A process the agent left behind may still use it; the OS cleans temporary folders.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: best effort.
        }
    }

    private static void ChownTree(string directory, int uid, int gid)
    {
        Chown(directory, uid, gid);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", options))
        {
            // lchown: a symbolic link itself, never what it points at (the enumeration does not follow links).
            Chown(entry.FullName, uid, gid);
        }
    }

    private static void Chown(string path, int uid, int gid)
    {
        if (NativeMethods.Lchown(path, uid, gid) != 0)
        {
            throw new IOException($"cannot hand '{path}' to the agent user {uid}:{gid} (errno {Marshal.GetLastPInvokeError()})");
        }
    }
}
