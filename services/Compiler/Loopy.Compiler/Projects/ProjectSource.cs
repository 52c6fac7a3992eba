namespace Loopy.Compiler.Projects;

/// <summary>
/// The files of a project (AUTHORING.md §1): <c>registry.yml</c>, <c>workflows/*/*.md</c>, sensor files, and skill
/// folders. Paths are project-relative posix, sorted ordinal; names starting with '.' are skipped everywhere.
/// </summary>
public abstract class ProjectSource
{
    /// <summary>The candidate files, sorted ordinal (registry, steps and sensors; other files are not listed).</summary>
    public abstract IReadOnlyList<string> Files { get; }

    /// <summary>The bytes of a listed file.</summary>
    public abstract byte[] Read(string relativePath);

    /// <summary>True when the project-relative folder exists.</summary>
    public abstract bool DirectoryExists(string relativePath);

    /// <summary>A project on disk.</summary>
    public static ProjectSource FromDirectory(string root) => new DirectoryProjectSource(root);

    /// <summary>A project held in memory: relative posix path → content.</summary>
    public static ProjectSource FromFiles(IReadOnlyDictionary<string, byte[]> files) => new MemoryProjectSource(files);

    /// <summary>A project from archive-like entries; a path listed twice is kept twice (the first content is read).</summary>
    public static ProjectSource FromEntries(IEnumerable<KeyValuePair<string, byte[]>> entries) => new MemoryProjectSource(entries);

    /// <summary>True when the path belongs to the compiler's view of a project (§1 discovery).</summary>
    public static bool IsCandidate(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var parts = relativePath.Split('/');
        if (parts.Any(p => p.Length == 0 || p[0] == '.'))
        {
            return false;
        }

        if (parts.Length == 1)
        {
            return parts[0] == "registry.yml";
        }

        return parts[0] switch
        {
            "workflows" => parts.Length == 3 && parts[2].EndsWith(".md", StringComparison.Ordinal),
            "sensors" => !parts.Contains("__pycache__") &&
                (parts[^1].EndsWith(".yml", StringComparison.Ordinal) || parts[^1].EndsWith(".yaml", StringComparison.Ordinal) ||
                 (parts[^1].EndsWith(".py", StringComparison.Ordinal) && parts[^1] != "__init__.py")),
            _ => false,
        };
    }
}
