using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Model;

/// <summary>One emitted event and its rule: agent-decided (no rule), always, or when all listed output keys equal values.</summary>
internal sealed class EmitDef(string name, int line)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public bool Always { get; set; }

    public List<(string Key, YScalar Value, int Line)>? When { get; set; }
}
