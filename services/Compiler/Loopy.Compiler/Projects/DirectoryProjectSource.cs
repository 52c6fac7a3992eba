namespace Loopy.Compiler.Projects;

/// <summary>Reads a project folder; symbolic-link folders are not followed, so link loops cannot hang discovery.</summary>
internal sealed class DirectoryProjectSource : ProjectSource
{
    private readonly string _root;
    private readonly List<string> _files;

    public DirectoryProjectSource(string root)
    {
        _root = Path.GetFullPath(root);
        _files = [];
        if (File.Exists(Path.Combine(_root, "registry.yml")))
        {
            _files.Add("registry.yml");
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            ReturnSpecialDirectories = false,
        };
        foreach (var folder in new[] { "workflows", "sensors" })
        {
            var dir = Path.Combine(_root, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            if (folder == "workflows")
            {
                options.MaxRecursionDepth = 1;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "*", options))
            {
                var relative = Path.GetRelativePath(_root, file).Replace('\\', '/');
                if (IsCandidate(relative))
                {
                    _files.Add(relative);
                }
            }

            options.MaxRecursionDepth = int.MaxValue;
        }

        _files.Sort(StringComparer.Ordinal);
    }

    public override IReadOnlyList<string> Files => _files;

    public override byte[] Read(string relativePath) => File.ReadAllBytes(Path.Combine(_root, relativePath));

    public override bool DirectoryExists(string relativePath) => Directory.Exists(Path.Combine(_root, relativePath));
}
