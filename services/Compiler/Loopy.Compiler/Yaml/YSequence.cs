namespace Loopy.Compiler.Yaml;

/// <summary>A YAML sequence.</summary>
internal sealed class YSequence(int line) : YNode(line)
{
    public List<YNode> Items { get; } = [];
}
