namespace Loopy.Compiler.Projects;

/// <summary>
/// A project in memory (tests, tools, an uploaded archive); folders exist when a file lies below them. Entries are kept
/// as given, so an archive listing one path twice shows it twice (and its step id collides: E107).
/// </summary>
internal sealed class MemoryProjectSource : ProjectSource
{
    private readonly Dictionary<string, byte[]> _content = new(StringComparer.Ordinal);
    private readonly List<string> _files;
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

    public MemoryProjectSource(IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        _files = [];
        foreach (var (path, content) in files)
        {
            _content.TryAdd(path, content);
            if (IsCandidate(path))
            {
                _files.Add(path);
            }
        }

        _files.Sort(StringComparer.Ordinal);
        foreach (var path in _content.Keys)
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
