namespace Loopy.Compiler.Projects;

/// <summary>A project in memory, for tests and tools; folders exist when a file lies below them.</summary>
internal sealed class MemoryProjectSource : ProjectSource
{
    private readonly IReadOnlyDictionary<string, byte[]> _content;
    private readonly List<string> _files;
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

    public MemoryProjectSource(IReadOnlyDictionary<string, byte[]> files)
    {
        _content = files;
        _files = files.Keys.Where(IsCandidate).ToList();
        _files.Sort(StringComparer.Ordinal);
        foreach (var path in files.Keys)
        {
            var idx = path.LastIndexOf('/');
            while (idx > 0)
            {
                _directories.Add(path[..idx]);
                idx = path.LastIndexOf('/', idx - 1);
            }
        }
    }

    public override IReadOnlyList<string> Files => _files;

    public override byte[] Read(string relativePath) => _content[relativePath];

    public override bool DirectoryExists(string relativePath) => _directories.Contains(relativePath.TrimEnd('/'));
}
