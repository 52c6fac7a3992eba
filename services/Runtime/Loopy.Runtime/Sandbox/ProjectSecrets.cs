namespace Loopy.Runtime.Sandbox;

/// <summary>
/// What of the project root an agent must not see when the root is shown to it: the manifest's env files, every
/// <c>loopy.env</c>, <c>.env</c>, <c>.env.*</c> and <c>*.env</c> file, <c>.git/config</c> (remote URLs may carry
/// credentials) and the <c>.loopy/</c> folder (local servers' data, the state database, tools). Paths are absolute and
/// real (a link inside the root is hidden at its target; one leaving the root is not visible anyway).
/// </summary>
/// <param name="Files">Secret files, each covered by an empty unreadable file.</param>
/// <param name="Folders">Folders covered by an empty read-only tmpfs.</param>
internal sealed record ProjectSecrets(IReadOnlyList<string> Files, IReadOnlyList<string> Folders)
{
    public const string StateFolder = ".loopy";

    private const int MaxDepth = 16;

    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { ".git", "node_modules", StateFolder };

    public static ProjectSecrets Find(string projectRoot, IEnumerable<string> secretFiles)
    {
        ArgumentNullException.ThrowIfNull(projectRoot);
        ArgumentNullException.ThrowIfNull(secretFiles);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectRoot));
        var folders = new List<string>();
        var state = Path.Combine(root, StateFolder);
        if (Directory.Exists(state) && new DirectoryInfo(state).LinkTarget is null)
        {
            folders.Add(state);
        }

        var candidates = secretFiles
            .Where(f => !Path.IsPathRooted(f))
            .Select(f => Path.GetFullPath(Path.Combine(root, f)))
            .Append(Path.Combine(root, ".git", "config"))
            .Concat(Scan(root, 0));
        var files = candidates
            .Select(path => RealFile(path))
            .OfType<string>()
            .Where(path => IsUnder(path, root) && !folders.Any(f => IsUnder(path, f)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new ProjectSecrets(files, folders);
    }

    /// <summary>True for the names of env files: <c>loopy.env</c>, <c>.env</c>, <c>.env.*</c>, <c>*.env</c>.</summary>
    public static bool IsEnvFileName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name == ".env" || name.StartsWith(".env.", StringComparison.Ordinal) || name.EndsWith(".env", StringComparison.Ordinal);
    }

    private static IEnumerable<string> Scan(string folder, int depth)
    {
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = [.. new DirectoryInfo(folder).EnumerateFileSystemInfos()];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            if (entry is DirectoryInfo dir)
            {
                // Links to folders are not followed: what they point at is either inside the root (scanned there) or not shown.
                if (dir.LinkTarget is null && depth < MaxDepth && !SkippedFolders.Contains(dir.Name))
                {
                    foreach (var found in Scan(dir.FullName, depth + 1))
                    {
                        yield return found;
                    }
                }
            }
            else if (IsEnvFileName(entry.Name))
            {
                yield return entry.FullName;
            }
        }
    }

    /// <summary>The real path of an existing file (links resolved), or null.</summary>
    private static string? RealFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
            }

            return info is { Exists: true } ? info.FullName : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsUnder(string path, string folder) => path.StartsWith(folder + "/", StringComparison.Ordinal);
}
