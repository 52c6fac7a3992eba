using System.ComponentModel;
using System.Diagnostics;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// What the <c>bwrap</c> provider found on this host, probed once: the binaries it needs and whether bubblewrap can
/// create the namespaces (a container without the privileges, a kernel without unprivileged user namespaces).
/// </summary>
internal sealed class BwrapHost
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(20);

    private BwrapHost(string? bwrap, string? socat, string? setpriv, string? prlimit, string? chown, bool privileged)
    {
        Bwrap = bwrap ?? string.Empty;
        Socat = socat ?? string.Empty;
        Setpriv = setpriv ?? string.Empty;
        Prlimit = prlimit ?? string.Empty;
        Chown = chown ?? string.Empty;
        Privileged = privileged;
    }

    public string Bwrap { get; }

    public string Socat { get; }

    public string Setpriv { get; }

    public string Prlimit { get; }

    public string Chown { get; }

    /// <summary>The Runtime runs as root: bubblewrap runs privileged and the agent drops to the configured uid.</summary>
    public bool Privileged { get; }

    /// <summary>Why the provider cannot run here; empty when it can.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    public static BwrapHost Detect(BwrapOptions options)
    {
        var privileged = Environment.IsPrivilegedProcess;
        var host = new BwrapHost(
            Find(options.BwrapPath),
            Find(options.SocatPath),
            Find("setpriv"),
            Find("prlimit"),
            Find("chown"),
            privileged);
        var problems = new List<string>();
        if (!OperatingSystem.IsLinux())
        {
            host.Problems = ["sandbox provider 'bwrap' needs Linux"];
            return host;
        }

        if (host.Bwrap.Length == 0)
        {
            problems.Add($"sandbox provider 'bwrap': '{options.BwrapPath}' not found (install the Debian package bubblewrap)");
        }

        if (host.Socat.Length == 0)
        {
            problems.Add($"sandbox provider 'bwrap': '{options.SocatPath}' not found (install the Debian package socat; it bridges the sandbox to the egress proxy)");
        }

        if (host.Prlimit.Length == 0 || (privileged && (host.Setpriv.Length == 0 || host.Chown.Length == 0)))
        {
            problems.Add("sandbox provider 'bwrap': setpriv, prlimit or chown not found (install the Debian package util-linux)");
        }

        problems.AddRange(options.ReadOnlyBinds
            .Where(p => !Path.IsPathFullyQualified(p) || !Path.Exists(p))
            .Select(p => $"sandbox provider 'bwrap': read-only bind '{p}' is not an absolute path that exists"));

        if (problems.Count == 0 && host.Probe(options) is { } failure)
        {
            problems.Add($"sandbox provider 'bwrap': bubblewrap cannot create the sandbox's namespaces on this host: {failure}");
        }

        host.Problems = problems;
        return host;
    }

    /// <summary>Runs <c>true</c> in a sandbox shaped like the real one (namespaces, binds, the uid drop); null when it works.</summary>
    private string? Probe(BwrapOptions options)
    {
        var start = new ProcessStartInfo(Bwrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var command = new BwrapCommandLine(this, options);
        foreach (var arg in command.Build(attempt: null, extraReadOnly: [], ["/bin/sh", "-c", "exit 0"]))
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("bwrap did not start");
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return "the probe did not finish";
            }

            return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {stderr.GetAwaiter().GetResult().Trim()}";
        }
        catch (Win32Exception ex)
        {
            return ex.Message;
        }
    }

    /// <summary>An absolute path that exists, or the first match of a bare name on <c>PATH</c>; null when none.</summary>
    internal static string? Find(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } p ? p : "/usr/local/bin:/usr/bin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }
}
