using System.Text.Json.Nodes;

namespace Loopy.Compiler.Model;

internal sealed class StepDef(string workflow, string name, string file)
{
    public string Workflow { get; } = workflow;

    public string Name { get; } = name;

    public string Id => Workflow + "/" + Name;

    public string File { get; } = file;

    /// <summary>E101: later stages skip the step.</summary>
    public bool Broken { get; set; }

    public bool HasOn { get; set; }

    public int OnLine { get; set; }

    /// <summary>The parsed trigger; null when <c>on:</c> is absent or malformed.</summary>
    public TriggerDef? Trigger { get; set; }

    public bool HasAfter { get; set; }

    public int AfterLine { get; set; }

    public List<string> After { get; } = [];

    public string? Agent { get; set; }

    public int AgentLine { get; set; }

    /// <summary>null when <c>output:</c> is absent.</summary>
    public List<(string Key, JsonNode? Schema, int Line)>? Output { get; set; }

    public bool OutputBroken { get; set; }

    public List<EmitDef> Emits { get; } = [];

    public JsonObject? Budget { get; set; }

    public string Body { get; set; } = string.Empty;

    public List<RefDef> Refs { get; } = [];

    public bool HasOutputKey(string key) => Output is not null && Output.Any(o => o.Key == key);
}
