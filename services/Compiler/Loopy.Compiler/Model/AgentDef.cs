using System.Text.Json.Nodes;

namespace Loopy.Compiler.Model;

/// <summary>An agent with defaults applied; each value keeps the line it was authored on.</summary>
internal sealed class AgentDef(string name, int line)
{
    public string Name { get; } = name;

    public int Line { get; } = line;

    public string? Sandbox { get; set; }

    public int SandboxLine { get; set; }

    public string? Model { get; set; }

    public int ModelLine { get; set; }

    public string? Harness { get; set; }

    public int HarnessLine { get; set; }

    /// <summary>The harness value was the retired nested mapping.</summary>
    public bool RetiredHarness { get; set; }

    public List<(string Skill, int Line)> Skills { get; set; } = [];

    public JsonNode? Command { get; set; }

    public bool HasCommand { get; set; }

    public bool CommandMalformed { get; set; }

    public int CommandLine { get; set; }
}
