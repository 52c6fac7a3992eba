using System.Globalization;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// The bubblewrap command line of one sandboxed process. The sandbox's root is an empty tmpfs with, read-only,
/// <c>/usr</c> (the <c>/bin</c>, <c>/sbin</c>, <c>/lib*</c> links or folders), a few <c>/etc</c> files (certificates,
/// alternatives, the loader cache, time zone) and generated <c>/etc/passwd</c>, <c>group</c>, <c>hosts</c> and
/// <c>nsswitch.conf</c>; a new <c>/dev</c> and <c>/proc</c>; a private tmpfs <c>/tmp</c>; the configured read-only
/// binds; the project root, read-only at its path, with its secrets hidden (<see cref="ProjectSecrets"/>); the attempt's
/// working directory and <c>HOME</c>, writable, at their own paths; and the egress proxy socket at
/// <see cref="SocketInside"/>. Every namespace but the user namespace is new (the network has only <c>lo</c>); the
/// Runtime as root keeps bwrap privileged so the agent can drop to an unprivileged uid with <c>setpriv</c>.
/// </summary>
internal sealed class BwrapCommandLine(BwrapHost host, BwrapOptions options)
{
    /// <summary>Where the egress proxy's socket appears inside the sandbox.</summary>
    public const string SocketInside = "/run/loopy/egress.sock";

    private static readonly string[] SystemRoots = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    private static readonly string[] EtcFiles =
    [
        "/etc/ssl", "/etc/ca-certificates", "/etc/ca-certificates.conf", "/etc/pki", "/etc/alternatives",
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
        "/etc/mime.types", "/etc/protocols", "/etc/services", "/etc/gai.conf", "/etc/host.conf",
        "/etc/os-release", "/etc/debian_version", "/etc/gitconfig",
    ];

    private readonly List<string> _args = [];
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);

    // Host folders shown at their own path (true) and folders covered by an empty tmpfs (false), in mount order.
    private readonly List<(string Path, bool Visible)> _layers = [];

    /// <summary>
    /// The arguments after the <c>bwrap</c> program name. With <paramref name="projectRoot"/>, the project root is
    /// shown read-only at its path, with <paramref name="secrets"/> hidden: each secret file covered by
    /// <see cref="BwrapAttempt.HiddenFile"/> (empty, mode 0000), each secret folder by an empty read-only tmpfs; an
    /// extra read-only path inside a hidden folder (a tool under <c>.loopy/tools</c>) is bound again on top.
    /// </summary>
    public IReadOnlyList<string> Build(BwrapAttempt? attempt, IEnumerable<string> extraReadOnly, IReadOnlyList<string> argv, string? projectRoot = null, ProjectSecrets? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        _args.Clear();
        _present.Clear();
        _layers.Clear();
        foreach (var root in SystemRoots)
        {
            var info = new FileInfo(root);
            if (info.LinkTarget is { } target)
            {
                Add("--symlink", target, root);
            }
            else if (Directory.Exists(root))
            {
                Mount(root, "--ro-bind", root);
            }
        }

        foreach (var file in EtcFiles)
        {
            Mount(file, "--ro-bind-try", file);
        }

        if (attempt is not null)
        {
            foreach (var name in BwrapAttempt.GeneratedEtcFiles)
            {
                Mount("/etc/" + name, "--ro-bind", Path.Combine(attempt.EtcDirectory, name));
            }
        }

        Mount("/dev", "--dev");
        Mount("/proc", "--proc");
        Add("--perms", "1777", "--size", options.TmpSizeBytes.ToString(CultureInfo.InvariantCulture));
        Mount("/tmp", "--tmpfs");
        var project = projectRoot is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectRoot));
        if (project == "/")
        {
            project = null; // never the whole host
        }

        var readOnly = extraReadOnly.Concat(options.ReadOnlyBinds).Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var path in readOnly.Where(p => project is null || !IsUnder(p, project)))
        {
            if (!Visible(path))
            {
                Mount(path, "--ro-bind-try", path);
            }
        }

        if (project is not null && attempt is not null)
        {
            // Shown read-only at its path (prompts, scripts, skills), after any bind of an ancestor so the hiding holds.
            Mount(project, "--ro-bind", project);
            foreach (var file in secrets?.Files ?? [])
            {
                Add("--ro-bind", attempt.HiddenFile, file);
            }

            foreach (var folder in secrets?.Folders ?? [])
            {
                Add("--perms", "0755", "--tmpfs", folder);
                _present.Add(folder);
                _layers.Add((folder, false));
            }

            foreach (var path in readOnly.Where(p => IsUnder(p, project) && !Visible(p)))
            {
                Mount(path, "--ro-bind-try", path);
            }

            // Read-only once the folders the binds above needed are made in it.
            foreach (var folder in secrets?.Folders ?? [])
            {
                Add("--remount-ro", folder);
            }
        }

        if (attempt is not null)
        {
            Mount(attempt.WorkingDirectory, "--bind", attempt.WorkingDirectory);
            Mount(attempt.Home, "--bind", attempt.Home);
            Mount(SocketInside, "--ro-bind", attempt.SocketPath);
        }

        Add("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "loopy-sandbox");
        Add("--die-with-parent", "--new-session");
        if (host.Privileged)
        {
            // bwrap runs as root, without a user namespace (one would not map the agent's uid); the only capabilities
            // kept are those setpriv needs to drop to the agent's uid, and it clears them all.
            Add("--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP");
        }
        else
        {
            Add("--unshare-user", "--disable-userns");
        }

        var limit = options.MaxProcesses.ToString(CultureInfo.InvariantCulture);
        Add("--", host.Prlimit, $"--nproc={limit}:{limit}", "--");
        if (host.Privileged)
        {
            Add(
                host.Setpriv,
                "--reuid", options.AgentUid.ToString(CultureInfo.InvariantCulture),
                "--regid", options.AgentGid.ToString(CultureInfo.InvariantCulture),
                "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--");
        }

        if (attempt is not null)
        {
            // bwrap cannot chdir into the working directory itself: it is the agent's (0700) and bwrap has dropped
            // CAP_DAC_OVERRIDE; the wrapper changes into it once it runs as the agent.
            Add("/bin/sh", "-c", BridgeScript(), "loopy-sandbox", attempt.WorkingDirectory);
        }

        _args.AddRange(argv);
        return [.. _args];
    }

    /// <summary>
    /// Changes into the working directory (the first argument), starts the bridge from <c>127.0.0.1:&lt;port&gt;</c> to the proxy socket, waits until it listens (read from
    /// <c>/proc/net/tcp</c>, so without a connection), then execs the agent's argv.
    /// </summary>
    private string BridgeScript()
    {
        var port = options.ProxyPort.ToString(CultureInfo.InvariantCulture);
        var hex = options.ProxyPort.ToString("X4", CultureInfo.InvariantCulture);
        return $"""
            cd "$1" || exit 125
            shift
            {host.Socat} TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:{SocketInside} </dev/null >/dev/null 2>&1 &
            n=0
            until grep -q ' 0100007F:{hex} 00000000:0000 0A' /proc/net/tcp; do
              n=$((n+1)); if [ $n -gt 1000 ]; then echo 'loopy: the egress bridge did not start' >&2; exit 125; fi
              sleep 0.01
            done
            exec "$@"
            """;
    }

    private void Mount(string destination, string kind, string? source = null)
    {
        EnsureParents(destination);
        if (source is null)
        {
            Add(kind, destination);
        }
        else
        {
            Add(kind, source, destination);
        }

        _present.Add(destination);
        if (source == destination)
        {
            _layers.Add((destination, true));
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> exists inside: a mount point or folder made here, or a path whose innermost
    /// covering layer is a bind of the host's same path (not a hiding tmpfs).
    /// </summary>
    private bool Visible(string path)
    {
        if (_present.Contains(path))
        {
            return true;
        }

        var depth = -1;
        var visible = false;
        foreach (var (layer, shown) in _layers)
        {
            if (layer.Length > depth && IsUnder(path, layer))
            {
                depth = layer.Length;
                visible = shown;
            }
        }

        return visible;
    }

    /// <summary>
    /// bwrap makes missing parent folders mode 0700 (root's): make them 0755 so the agent can pass. A folder exists
    /// already when it is a mount point or a folder made here, or lies inside a bind of the host's same path.
    /// </summary>
    private void EnsureParents(string destination)
    {
        var parents = new List<string>();
        for (var dir = Path.GetDirectoryName(destination); dir is not null && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            parents.Add(dir);
        }

        parents.Reverse();
        foreach (var dir in parents.Where(d => !Visible(d)))
        {
            Add("--perms", "0755", "--dir", dir);
            _present.Add(dir);
        }
    }

    private static bool IsUnder(string path, string folder) => path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private void Add(params string[] args) => _args.AddRange(args);
}
