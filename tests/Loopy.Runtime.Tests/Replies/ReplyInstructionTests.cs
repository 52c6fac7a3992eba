using System.Text.Json;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Replies;

namespace Loopy.Runtime.Tests.Replies;

public sealed class ReplyInstructionTests
{
    private static readonly ManifestRegistry Registry = new()
    {
        Events = new Dictionary<string, ManifestEvent>
        {
            ["Report"] = new() { Fields = new Dictionary<string, JsonElement> { ["link"] = Schema("""{"type": "string"}""") } },
            ["Rework"] = new() { Fields = new Dictionary<string, JsonElement> { ["reason"] = Schema("""{"type": "string"}""") } },
            ["Shipped"] = new() { Fields = new Dictionary<string, JsonElement> { ["pr_url"] = Schema("""{"type": "string"}""") } },
        },
    };

    [Fact]
    public void Lists_output_keys_sorted_and_each_emit_with_its_rule_suffix()
    {
        var step = new ManifestStep
        {
            Id = "wf/review",
            Output = new Dictionary<string, JsonElement> { ["verdict"] = Schema("""{"type": "string"}"""), ["notes"] = Schema("""{"type": "string"}""") },
            Emits = ["Report", "Rework", "Shipped"],
            EmitWhen = new Dictionary<string, JsonElement>
            {
                ["Report"] = Schema("null"),
                ["Rework"] = Schema("""{"verdict": "fail", "ok": true}"""),
                ["Shipped"] = Schema("\"always\""),
            },
        };

        var text = ReplyInstruction.For(step, Registry);

        Assert.Equal(
            "\n\nReturn ONLY a JSON object {\"output\": {...}, \"emits\": {\"<Event>\": {...}}} providing \"output\" with keys ['notes', 'verdict']; "
            + "\"emits.Report\" with keys ['link'] (optional: omit it or use null to emit nothing); "
            + "\"emits.Rework\" with keys ['reason'] (required when ok is 'true' and verdict is 'fail'); "
            + "\"emits.Shipped\" with keys ['pr_url'].",
            text);
    }

    [Fact]
    public void Is_empty_without_output_and_emits() =>
        Assert.Equal(string.Empty, ReplyInstruction.For(new ManifestStep { Id = "wf/s" }, Registry));

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement;
}
