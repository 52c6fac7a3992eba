using System.Text.Json.Nodes;

namespace Loopy.Compiler.Model;

/// <summary>A sensor from YAML (<c>declared</c>), Python (<c>module</c>) or a built-in vendor event.</summary>
internal sealed class SensorDef(string name, string file, int line, string source)
{
    public string Name { get; } = name;

    public string File { get; } = file;

    public int Line { get; } = line;

    public string Source { get; } = source;

    public string? Emits { get; set; }

    public string? Webhook { get; set; }

    public string? Poll { get; set; }

    public string? Module { get; set; }

    public string? Fn { get; set; }

    public string? Provider { get; set; }

    public JsonObject? Declared { get; set; }

    public JsonNode? Verify { get; set; }
}
