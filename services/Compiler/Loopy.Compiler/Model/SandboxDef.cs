using System.Text.Json.Nodes;

namespace Loopy.Compiler.Model;

internal sealed class SandboxDef(string name, int line)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public string? Provider { get; set; }

    public JsonNode Image { get; set; } = new JsonObject();

    public List<string> Network { get; } = [];

    public List<string> EnvFile { get; } = [];

    public List<(string Key, int Line)> Env { get; } = [];

    public List<JsonObject> Repos { get; } = [];
}
