namespace Loopy.Compiler.Yaml;

/// <summary>A YAML mapping, entries in authored order.</summary>
internal sealed class YMapping(int line) : YNode(line)
{
    public List<YEntry> Entries { get; } = [];

    public YEntry? Find(string name)
    {
        foreach (var entry in Entries)
        {
            if (entry.Name == name)
            {
                return entry;
            }
        }

        return null;
    }
}
