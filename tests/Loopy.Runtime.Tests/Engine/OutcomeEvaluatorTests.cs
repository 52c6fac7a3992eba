using System.Text.Json;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Engine;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Manifests;

namespace Loopy.Runtime.Tests.Engine;

public sealed class OutcomeEvaluatorTests
{
    private static readonly ActiveManifest Manifest = ActiveManifest.Parse("""
        {
          "schema_version": "2",
          "registry": {
            "agents": {}, "sandboxes": {},
            "events": {
              "Report": { "builtin": false, "fields": { "link": { "type": "string", "format": "uri" } } },
              "Rework": { "builtin": false, "fields": { "reason": { "type": "string" } } }
            }
          },
          "workflows": {}, "sensors": [], "lineage": { "events": {} }
        }
        """);

    private static readonly ManifestStep Step = new()
    {
        Id = "wf/review",
        Output = new Dictionary<string, JsonElement>
        {
            ["verdict"] = Json("""{"type": "string", "enum": ["pass", "fail"]}"""),
            ["count"] = Json("""{"type": "integer"}"""),
            ["pr_url"] = Json("""{"type": "string", "format": "uri"}"""),
        },
        Emits = ["Report", "Rework"],
        EmitWhen = new Dictionary<string, JsonElement> { ["Report"] = Json("null"), ["Rework"] = Json("""{"verdict": "fail"}""") },
    };

    [Fact]
    public async Task Keeps_declared_keys_drops_extras_and_does_not_assert_format()
    {
        var outcome = await EvaluateAsync("""{"output": {"verdict": "pass", "count": 2, "pr_url": "", "extra": 1}}""");

        Assert.Equal("""{"verdict":"pass","count":2,"pr_url":""}""", outcome.Output);
        Assert.Equal([("Report", "omitted"), ("Rework", "condition")], outcome.Emits.Select(e => (e.EventName, e.SkipReason!)));
    }

    [Fact]
    public async Task A_float_written_with_a_fraction_is_not_an_integer()
    {
        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => EvaluateAsync("""{"output": {"verdict": "pass", "count": 3.0, "pr_url": ""}}"""));

        Assert.False(error.Terminal);
        Assert.Equal("output does not match its schema: count: IntegerExpected", error.Message);
    }

    [Fact]
    public async Task A_when_rule_that_holds_requires_the_payload()
    {
        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => EvaluateAsync("""{"output": {"verdict": "fail", "count": 1, "pr_url": ""}}"""));

        Assert.Contains("emit 'Rework' is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Payloads_are_emitted_when_present_and_valid()
    {
        var outcome = await EvaluateAsync("""{"output": {"verdict": "fail", "count": 1, "pr_url": ""}, "emits": {"Report": {"link": "x"}, "Rework": {"reason": "tests fail"}}}""");

        Assert.All(outcome.Emits, e => Assert.Null(e.SkipReason));
        Assert.Equal("tests fail", outcome.Emits.Single(e => e.EventName == "Rework").Payload!.Value.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_invalid_emit_payload_is_a_transient_failure()
    {
        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => EvaluateAsync("""{"output": {"verdict": "pass", "count": 1, "pr_url": ""}, "emits": {"Report": {"link": 5}}}"""));

        Assert.Equal("emit 'Report' payload does not match its contract: link: StringExpected", error.Message);
    }

    [Fact]
    public async Task A_reply_without_json_is_a_transient_failure()
    {
        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => EvaluateAsync("I could not do it."));

        Assert.False(error.Terminal);
        Assert.Equal("the reply holds no JSON object", error.Message);
    }

    private static Task<StepOutcome> EvaluateAsync(string reply) =>
        OutcomeEvaluator.EvaluateAsync(Step, Manifest, new HarnessResult(reply, null, null, null), 64 * 1024);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;
}
