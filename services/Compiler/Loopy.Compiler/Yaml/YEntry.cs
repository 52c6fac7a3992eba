namespace Loopy.Compiler.Yaml;

/// <summary>One key/value pair of a mapping; <see cref="Name"/> is the key when it is a string scalar.</summary>
internal sealed record YEntry(YNode Key, YNode Value)
{
    public string? Name => (Key as YScalar)?.AsString;

    public int Line => Key.Line;
}
