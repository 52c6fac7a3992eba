using Loopy.Contracts.Manifest;
using Microsoft.Extensions.Time.Testing;

namespace Loopy.Compiler.Tests.Manifest;

/// <summary>Golden manifests and contracts of the example projects; <c>LOOPY_UPDATE_BASELINES=1</c> regenerates them.</summary>
public sealed class ExampleBaselineTests
{
    public static readonly DateTimeOffset FixedClock = new(2026, 6, 19, 3, 0, 0, TimeSpan.Zero);

    /// <summary>Every folder under <c>examples/</c> holding a registry.yml: a new example gets a baseline test by itself.</summary>
    public static TheoryData<string> Examples() => new(Directory.GetDirectories(RepositoryPaths.Examples)
        .Where(d => File.Exists(Path.Combine(d, "registry.yml")))
        .Select(Path.GetFileName)
        .Order(StringComparer.Ordinal)!);

    [Fact]
    public void The_three_required_examples_exist() =>
        Assert.Superset(new HashSet<string>(["hello", "dep-upkeep", "incident-triage"], StringComparer.Ordinal),
            Examples().Select(row => row.Data).ToHashSet(StringComparer.Ordinal));

    public static CompileResult CompileExample(string name) =>
        LoopyCompiler.CompileDirectory(Path.Combine(RepositoryPaths.Examples, name), new CompileOptions { TimeProvider = new FakeTimeProvider(FixedClock) });

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_compiles_without_errors(string name)
    {
        var result = CompileExample(name);
        Assert.False(result.HasErrors, LoopyCompiler.FormatText(result.Diagnostics));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_manifest_and_contracts_match_the_baseline(string name)
    {
        var result = CompileExample(name);
        Assert.NotNull(result.ManifestJson);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal) { [name + ".manifest.json"] = result.ManifestJson! };
        foreach (var (file, text) in result.Contracts)
        {
            files[Path.Combine(name + ".contract", file)] = text;
        }

        foreach (var (relative, actual) in files)
        {
            var path = Path.Combine(RepositoryPaths.Baselines, relative);
            if (RepositoryPaths.UpdateBaselines)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, actual);
                continue;
            }

            Assert.True(File.Exists(path), $"missing baseline {path}; run with LOOPY_UPDATE_BASELINES=1");
            Assert.Equal(File.ReadAllText(path), actual);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Compiling_twice_gives_identical_bytes_and_hash(string name)
    {
        var first = CompileExample(name);
        var second = CompileExample(name);
        Assert.Equal(first.ManifestJson, second.ManifestJson);
        Assert.Equal(first.ContentHash, second.ContentHash);
    }

    [Fact]
    public void The_content_hash_ignores_compiled_at()
    {
        var root = Path.Combine(RepositoryPaths.Examples, "hello");
        var early = LoopyCompiler.CompileDirectory(root, new CompileOptions { TimeProvider = new FakeTimeProvider(FixedClock) });
        var late = LoopyCompiler.CompileDirectory(root, new CompileOptions { TimeProvider = new FakeTimeProvider(FixedClock.AddDays(3)) });
        Assert.NotEqual(early.ManifestJson, late.ManifestJson);
        Assert.Equal(early.ContentHash, late.ContentHash);
        Assert.StartsWith("sha256:", early.ContentHash, StringComparison.Ordinal);
    }

    [Fact]
    public void Source_date_epoch_fixes_compiled_at()
    {
        var result = LoopyCompiler.CompileDirectory(Path.Combine(RepositoryPaths.Examples, "hello"), new CompileOptions { SourceDateEpoch = 1_781_838_000 });
        Assert.Equal("2026-06-19T03:00:00Z", result.Manifest!["compiled_at"]!.GetValue<string>());
    }

    [Fact]
    public void The_dependency_upkeep_manifest_has_every_top_level_key_and_the_spec_entries()
    {
        var result = CompileExample("dep-upkeep");
        Assert.Empty(result.Diagnostics);
        var keys = result.Manifest!.Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["compiled_at", "lineage", "loopy_version", "registry", "schema_version", "sensors", "workflows"], keys);
        var manifest = ManifestLoader.Load(result.ManifestJson!);
        var bump = manifest.Workflows["dep-upkeep"].Steps["bump"];
        Assert.Equal(new ManifestTrigger { Kind = "cron", Expr = "0 3 * * *" }, bump.Trigger);
        Assert.Equal([new ManifestRef { Producer = "event", Field = "scheduled_at", Raw = "{{ event.scheduled_at }}" }], bump.Refs);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, bump.EmitWhen["DepsBumped"].ValueKind);
        Assert.Equal(30, bump.Budget!.WallClock);
        Assert.Equal(5.0, bump.Budget.Spend!.Usd);
        Assert.Equal(["dep-upkeep/bump"], manifest.Lineage.Events["DepsBumped"].Producers);
        Assert.Empty(manifest.Lineage.Events["DepsBumped"].Consumers);
        Assert.Contains("\"budget\": {\n            \"spend\": {\n              \"usd\": 5\n            },\n            \"wall_clock\": 30\n          }", result.ManifestJson, StringComparison.Ordinal);
    }

    [Fact]
    public void Incident_triage_has_two_joining_branches_and_an_emit_that_starts_a_second_workflow()
    {
        var manifest = ManifestLoader.Load(CompileExample("incident-triage").ManifestJson!);
        var triage = manifest.Workflows["triage"];
        Assert.Equal("intake", triage.Entry);
        Assert.True(triage.Steps.Count >= 4);
        Assert.Equal(["intake"], triage.Steps["logs"].After);
        Assert.Equal(["intake"], triage.Steps["deploys"].After);
        Assert.Equal(["logs", "deploys"], triage.Steps["assess"].After);
        Assert.Contains(triage.Steps["assess"].Refs, r => r.Producer == "logs");
        Assert.Contains(triage.Steps["assess"].Refs, r => r.Producer == "deploys");
        Assert.Equal(["escalate/page"], manifest.Lineage.Events["Escalation"].Consumers);
        Assert.Equal(["triage/assess"], manifest.Lineage.Events["Escalation"].Producers);
        Assert.Equal("critical", manifest.Workflows["escalate"].Steps["page"].Trigger!.Filters!["severity"]);
        Assert.Equal(["incident_webhook"], manifest.Lineage.Events["Incident"].Producers);
        Assert.All(manifest.Registry.Agents.Values, a => Assert.Equal("exec", a.Harness));
    }

    [Fact]
    public void Hello_runs_on_the_exec_harness_with_a_committed_script()
    {
        var manifest = ManifestLoader.Load(CompileExample("hello").ManifestJson!);
        var agent = manifest.Registry.Agents["Greeter"];
        Assert.Equal(["sh", "scripts/greet.sh"], agent.CommandArgv());
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Examples, "hello", "scripts", "greet.sh")));
        Assert.Equal("local", manifest.Registry.Sandboxes["default"].Provider);
        Assert.Equal([new ManifestRef { Producer = "compose", Field = "greeting", Raw = "{{ compose.greeting }}" },
            new ManifestRef { Producer = "compose", Field = "length", Raw = "{{ compose.length }}" }], manifest.Workflows["greet"].Steps["shout"].Refs);
    }
}
