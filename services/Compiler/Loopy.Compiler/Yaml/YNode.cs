namespace Loopy.Compiler.Yaml;

/// <summary>A YAML node with its 1-based start line.</summary>
internal abstract class YNode
{
    protected YNode(int line) => Line = line;

    public int Line { get; }
}
