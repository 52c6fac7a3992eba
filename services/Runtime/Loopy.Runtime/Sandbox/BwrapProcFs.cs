using System.Globalization;

namespace Loopy.Runtime.Sandbox;

/// <summary>What the bwrap provider reads from <c>/proc</c> to find and end a sandbox's processes.</summary>
internal static class BwrapProcFs
{
    public static IEnumerable<int> Pids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>argv joined and ended by NUL characters, or null when the process is gone.</summary>
    public static string? CommandLine(int pid) => Read($"/proc/{pid}/cmdline");

    public static int? ParentOf(int pid) => Stat(pid) is { } stat && int.TryParse(stat[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;

    public static bool IsZombie(int pid) => Stat(pid) is not { } stat || stat[0] is "Z" or "X";

    /// <summary>The pid namespace (<c>pid:[inode]</c>) of a process, or null when it is gone.</summary>
    public static string? PidNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static int CurrentUid()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public static void Kill(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> after the command name: state, ppid, ...</summary>
    private static string[]? Stat(int pid)
    {
        var text = Read($"/proc/{pid}/stat");
        var close = text?.LastIndexOf(')') ?? -1;
        return close < 0 ? null : text![(close + 2)..].Split(' ');
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
