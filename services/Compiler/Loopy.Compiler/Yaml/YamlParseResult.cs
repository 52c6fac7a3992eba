namespace Loopy.Compiler.Yaml;

/// <summary>The root node (null for an empty document), or an error with its 1-based line.</summary>
internal sealed record YamlParseResult(YNode? Root, string? Error, int ErrorLine)
{
    public bool Ok => Error is null;
}
