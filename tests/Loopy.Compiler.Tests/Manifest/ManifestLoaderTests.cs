using System.Text.Json;
using Loopy.Contracts.Manifest;

namespace Loopy.Compiler.Tests.Manifest;

public sealed class ManifestLoaderTests
{
    [Fact]
    public async Task Every_example_manifest_loads_from_a_file()
    {
        foreach (var name in new[] { "hello", "dep-upkeep", "incident-triage" })
        {
            var manifest = await ManifestLoader.LoadFileAsync(Path.Combine(RepositoryPaths.Baselines, name + ".manifest.json"), TestContext.Current.CancellationToken);
            Assert.Equal("2", manifest.SchemaVersion);
            Assert.Equal("2026-06-19T03:00:00Z", manifest.CompiledAt);
            Assert.NotEmpty(manifest.Workflows);
            Assert.All(manifest.Workflows.Values, w => Assert.Contains(w.Entry, w.Steps.Keys));
        }
    }

    [Fact]
    public void A_python_built_manifest_without_this_projects_keys_loads_with_defaults()
    {
        const string json = """
            {"schema_version": "2",
             "registry": {"sandboxes": {"default": {"provider": "docker", "image": {}, "network": [], "env_file": [], "repos": []}},
                          "agents": {"Fixer": {"sandbox": "default", "model": "claude-opus-4-8", "harness": "claude-code", "skills": []}},
                          "events": {"Incident": {"fields": {"issue_id": {"type": "string"}}}}},
             "workflows": {"resolve": {"entry": "fix", "steps": {"fix": {"id": "resolve/fix", "after": [], "agent": "Fixer", "body": "Fix.",
                           "budget": null, "emits": ["Shipped"], "output": {}, "refs": [], "trigger": {"kind": "event", "event": "Incident"}}}}},
             "sensors": [{"name": "s", "emits": "Incident", "source": "module", "module": "sensors.s", "fn": "s", "provider": null,
                          "trigger": {"kind": "webhook", "path": "/hooks/s"}}],
             "lineage": {"events": {}}, "compiled_at": "2026-01-01T00:00:00Z", "loopy_version": "0.9"}
            """;
        var manifest = ManifestLoader.Load(json);
        Assert.Empty(manifest.Registry.Sandboxes["default"].Env);
        Assert.Null(manifest.Registry.Agents["Fixer"].Command);
        Assert.Empty(manifest.Registry.Agents["Fixer"].CommandArgv());
        Assert.False(manifest.Registry.Events["Incident"].Builtin);
        var fix = manifest.Workflows["resolve"].Steps["fix"];
        Assert.Null(fix.Trigger!.Filters);
        Assert.Empty(fix.EmitWhen);
        Assert.Null(manifest.Sensors[0].Declared);
    }

    [Fact]
    public void A_string_command_runs_through_sh()
    {
        var agent = new ManifestAgent { Sandbox = "s", Model = "m", Harness = "exec", Command = JsonDocument.Parse("\"echo hi\"").RootElement };
        Assert.Equal(["sh", "-c", "echo hi"], agent.CommandArgv());
    }

    [Fact]
    public void Invalid_json_is_a_manifest_format_exception() =>
        Assert.Throws<ManifestFormatException>(() => ManifestLoader.Load("{not json"));
}
