using System.Text.Json.Nodes;

namespace Loopy.Compiler.Model;

internal sealed class EventDef(string name, int line, bool builtin)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public bool Builtin { get; } = builtin;

    public List<KeyValuePair<string, JsonNode?>> Fields { get; } = [];

    public JsonNode? Field(string name) => Fields.FirstOrDefault(f => f.Key == name).Value;

    public bool HasField(string name) => Fields.Any(f => f.Key == name);
}
