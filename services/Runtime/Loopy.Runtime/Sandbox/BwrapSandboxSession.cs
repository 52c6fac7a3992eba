using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Loopy.Runtime.Harness;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// One attempt's bubblewrap sandbox: a fresh working directory and <c>HOME</c> (same paths inside and outside), the
/// project root read-only with its secrets hidden (found once per attempt), the attempt's egress proxy, and start infos
/// that run a process in the sandbox. Disposing it kills whatever still runs
/// in the sandbox (the whole pid namespace), stops the proxy and removes the folders.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class BwrapSandboxSession : ISandboxSession
{
    private const int MaxSocketPathBytes = 100;
    private const string EnvPath = "/usr/bin/env";
    private static readonly UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly UnixFileMode Mode0711 = Mode0700 | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    private static readonly UnixFileMode Mode0755 = Mode0711 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly BwrapAttempt _attempt;
    private readonly BwrapHost _host;
    private readonly BwrapOptions _options;
    private readonly SandboxRequest _request;
    private readonly EgressProxy _proxy;
    private readonly ILogger _logger;
    private readonly ProjectSecrets _secrets;

    private BwrapSandboxSession(BwrapAttempt attempt, BwrapHost host, BwrapOptions options, SandboxRequest request, EgressProxy proxy, ILogger logger)
    {
        _secrets = ProjectSecrets.Find(request.ProjectRoot, request.SecretFiles);
        _attempt = attempt;
        _host = host;
        _options = options;
        _request = request;
        _proxy = proxy;
        _logger = logger;
        var proxyUrl = $"http://127.0.0.1:{options.ProxyPort.ToString(CultureInfo.InvariantCulture)}";
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HTTPS_PROXY"] = proxyUrl,
            ["HTTP_PROXY"] = proxyUrl,
            ["https_proxy"] = proxyUrl,
            ["http_proxy"] = proxyUrl,
        };
    }

    public string WorkingDirectory => _attempt.WorkingDirectory;

    public string Home => _attempt.Home;

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The attempt's folder (working directory, HOME, proxy socket); for tests.</summary>
    internal string Root => _attempt.Root;

    public static BwrapSandboxSession Create(SandboxRequest request, BwrapHost host, BwrapOptions options, ILogger logger)
    {
        var workRoot = Path.GetFullPath(options.WorkRoot ?? Path.Combine(Path.GetTempPath(), "loopy-bwrap"));
        Directory.CreateDirectory(workRoot);
        var attempt = new BwrapAttempt(Path.Combine(workRoot, RandomNumberGenerator.GetHexString(12, lowercase: true)));
        if (System.Text.Encoding.UTF8.GetByteCount(attempt.SocketPath) > MaxSocketPathBytes)
        {
            throw new AttemptFailedException($"sandbox provider 'bwrap': the work root '{workRoot}' is too long for a Unix socket path", terminal: true);
        }

        Directory.CreateDirectory(attempt.Root, Mode0711);
        try
        {
            Directory.CreateDirectory(attempt.WorkingDirectory, Mode0700);
            Directory.CreateDirectory(attempt.Home, Mode0700);
            Directory.CreateDirectory(attempt.EtcDirectory, Mode0755);
            WriteEtc(attempt, host, options);
            File.WriteAllBytes(attempt.HiddenFile, []);
            File.SetUnixFileMode(attempt.HiddenFile, UnixFileMode.None);
            if (host.Privileged)
            {
                Chown(host, options, attempt.WorkingDirectory, attempt.Home);
            }

            var proxy = EgressProxy.Start(attempt.SocketPath, EgressPolicy.For(request), request.RunId, request.StepId, logger);
            return new BwrapSandboxSession(attempt, host, options, request, proxy, logger);
        }
        catch
        {
            Directory.Delete(attempt.Root, recursive: true);
            throw;
        }
    }

    public ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(environment);
        if (argv.Count == 0)
        {
            throw new ArgumentException("argv is empty", nameof(argv));
        }

        if (_host.Privileged)
        {
            // The harness may have written the context file and skills as root: hand everything to the agent.
            Chown(_host, _options, _attempt.WorkingDirectory, _attempt.Home);
        }

        var start = new ProcessStartInfo(_host.Bwrap)
        {
            WorkingDirectory = _attempt.WorkingDirectory,
            UseShellExecute = false,
        };
        // Loader variables (LD_PRELOAD, LD_LIBRARY_PATH …) would act on bwrap, prlimit and setpriv, which run as
        // root: they reach only the agent's argv, set by env(1) after the drop.
        var loader = environment.Where(kv => kv.Key.StartsWith("LD_", StringComparison.Ordinal)).ToList();
        IReadOnlyList<string> command = loader.Count == 0
            ? argv
            : [EnvPath, .. loader.Select(kv => $"{kv.Key}={kv.Value}"), .. argv];
        var extra = _options.BindCommandDirectory
            ? CommandBinds(argv[0], _request.ProjectRoot).Where(d => !d.StartsWith(_attempt.Root + "/", StringComparison.Ordinal)).ToList()
            : [];
        foreach (var arg in new BwrapCommandLine(_host, _options).Build(_attempt, extra, command, _request.ProjectRoot, _secrets))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (key, value) in environment.Where(kv => !kv.Key.StartsWith("LD_", StringComparison.Ordinal)))
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillSandboxAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            EgressLog.CleanupFailed(_logger, _request.RunId, _request.StepId, ex.Message);
        }

        await _proxy.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_attempt.Root, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            EgressLog.CleanupFailed(_logger, _request.RunId, _request.StepId, ex.Message);
        }
    }

    /// <summary>
    /// The folders an absolute <paramref name="command"/> needs read-only: its folder, or for a path inside a
    /// <c>node_modules</c> folder that whole folder (a <c>.bin</c> link points into a package), the same for the link's
    /// target; never the project root or one of its ancestors.
    /// </summary>
    internal static IReadOnlyList<string> CommandBinds(string command, string projectRoot)
    {
        if (!Path.IsPathFullyQualified(command) || !File.Exists(command))
        {
            return [];
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectRoot));
        var candidates = new List<string> { Path.GetFullPath(command) };
        if (File.ResolveLinkTarget(command, returnFinalTarget: true) is { } target)
        {
            candidates.Add(target.FullName);
        }

        return [.. candidates
            .Select(FolderOf)
            .Where(dir => dir != "/" && dir != root && !root.StartsWith(dir + "/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)];

        static string FolderOf(string path)
        {
            var index = path.LastIndexOf("/node_modules/", StringComparison.Ordinal);
            return index >= 0 ? path[..(index + "/node_modules".Length)] : Path.GetDirectoryName(path) ?? "/";
        }
    }

    private static void WriteEtc(BwrapAttempt attempt, BwrapHost host, BwrapOptions options)
    {
        var uid = host.Privileged ? options.AgentUid : BwrapProcFs.CurrentUid();
        var gid = host.Privileged ? options.AgentGid : uid;
        var files = new Dictionary<string, string>
        {
            ["passwd"] = $"root:x:0:0:root:/root:/usr/sbin/nologin\nloopy:x:{uid}:{gid}:loopy agent:{attempt.Home}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
            ["group"] = $"root:x:0:\nloopy:x:{gid}:\nnogroup:x:65534:\n",
            ["hosts"] = "127.0.0.1\tlocalhost loopy-sandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n",
            ["nsswitch.conf"] = "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n",
        };
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(attempt.EtcDirectory, name);
            File.WriteAllText(path, text);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
    }

    private static void Chown(BwrapHost host, BwrapOptions options, params string[] paths)
    {
        var start = new ProcessStartInfo(host.Chown)
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // -R without -L never follows a symbolic link the agent may have left in its folders; -h changes the link itself.
        start.ArgumentList.Add("-R");
        start.ArgumentList.Add("-h");
        start.ArgumentList.Add($"{options.AgentUid.ToString(CultureInfo.InvariantCulture)}:{options.AgentGid.ToString(CultureInfo.InvariantCulture)}");
        foreach (var path in paths)
        {
            start.ArgumentList.Add(path);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("chown did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new AttemptFailedException($"sandbox provider 'bwrap': cannot hand the working directory to uid {options.AgentUid}: {error.Trim()}", terminal: true);
        }
    }

    /// <summary>
    /// Kills the bwrap processes of this attempt and the pid namespaces they made (killing a namespace's pid 1 ends
    /// every process in it), then waits until no live process is left in those namespaces.
    /// </summary>
    private async Task KillSandboxAsync()
    {
        var marker = "\0" + _attempt.WorkingDirectory + "\0";
        var bwraps = BwrapProcFs.Pids().Where(pid => BwrapProcFs.CommandLine(pid) is { } cmd && cmd.Contains(marker, StringComparison.Ordinal)
            && cmd.StartsWith(_host.Bwrap + "\0", StringComparison.Ordinal)).ToList();
        if (bwraps.Count == 0)
        {
            return;
        }

        var children = BwrapProcFs.Pids().Where(pid => BwrapProcFs.ParentOf(pid) is { } parent && bwraps.Contains(parent)).ToList();
        var namespaces = children.Select(BwrapProcFs.PidNamespace).OfType<string>().Where(ns => ns != BwrapProcFs.PidNamespace(System.Environment.ProcessId)).ToHashSet();
        foreach (var pid in bwraps.Concat(children))
        {
            BwrapProcFs.Kill(pid);
        }

        for (var i = 0; i < 500; i++)
        {
            var alive = BwrapProcFs.Pids().Where(pid => BwrapProcFs.PidNamespace(pid) is { } ns && namespaces.Contains(ns) && !BwrapProcFs.IsZombie(pid)).ToList();
            if (alive.Count == 0)
            {
                return;
            }

            foreach (var pid in alive)
            {
                BwrapProcFs.Kill(pid);
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
