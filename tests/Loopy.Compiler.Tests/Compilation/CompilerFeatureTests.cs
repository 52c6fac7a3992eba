using System.Text.Json.Nodes;
using Loopy.Compiler.Projects;
using Loopy.Compiler.Tests.Fixtures;

namespace Loopy.Compiler.Tests.Compilation;

public sealed class CompilerFeatureTests
{
    private static CompileResult Compile(Dictionary<string, string?> changes)
    {
        var result = LoopyCompiler.Compile(FixtureProject.With(changes));
        Assert.False(result.HasErrors, LoopyCompiler.FormatText(result.Diagnostics));
        return result;
    }

    private static JsonNode Step(CompileResult result, string workflow, string step) => result.Manifest!["workflows"]![workflow]!["steps"]![step]!;

    [Fact]
    public void A_built_in_vendor_trigger_adds_its_contract_and_webhook_sensor()
    {
        var result = Compile(new()
        {
            ["workflows/review/check.md"] = "---\non: Github.PullRequestOpened(base=\"main\")\nagent: Worker\n---\nReview #{{ event.number }} {{ event.url }}.\n",
        });
        var ev = result.Manifest!["registry"]!["events"]!["Github.PullRequestOpened"]!;
        Assert.True(ev["builtin"]!.GetValue<bool>());
        Assert.Equal("integer", ev["fields"]!["number"]!["type"]!.GetValue<string>());
        var sensor = result.Manifest["sensors"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "builtin:Github.PullRequestOpened")!;
        Assert.Equal("builtin", sensor["source"]!.GetValue<string>());
        Assert.Equal("github", sensor["provider"]!.GetValue<string>());
        Assert.Equal("/hooks/github", sensor["trigger"]!["path"]!.GetValue<string>());
        Assert.Equal(["builtin:Github.PullRequestOpened"], result.Manifest["lineage"]!["events"]!["Github.PullRequestOpened"]!["producers"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.True(result.Contracts.ContainsKey("Github.PullRequestOpened.schema.json"));
    }

    [Fact]
    public void A_built_in_event_checks_filters_and_template_fields()
    {
        var result = LoopyCompiler.Compile(FixtureProject.With(new Dictionary<string, string?>
        {
            ["workflows/review/check.md"] = "---\non: Github.PullRequestOpened(number=\"3\")\nagent: Worker\n---\nReview {{ event.titel }}.\n",
        }));
        Assert.Equal(["E114", "E302"], result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Python_and_yaml_sensors_are_read_without_running_them()
    {
        var result = Compile(new()
        {
            ["sensors/github/issues.py"] = "import loopy\nfrom loopy import sensor\n\n\n@sensor(webhook=\"/hooks/issues\", emits=\"Ping\")\ndef on_issue(req):\n    s = \"(unbalanced in a string\"  # and ) in a comment\n    return None\n\n\n@loopy.sensor(poll='10m', emits='Ping')\nasync def poll_issues(tick):\n    return []\n",
            ["sensors/__init__.py"] = "this is not python at all (",
            ["sensors/poll.yaml"] = "health:\n  poll: 5m\n  emits: Ping\n  exec: [python3, sensors/health.py]\n  env: HEALTH_URL\n  timeout: 30s\n",
        });
        var sensors = result.Manifest!["sensors"]!.AsArray().Select(s => s!).ToList();
        Assert.Equal(["health", "on_issue", "ping_hook", "poll_issues"], sensors.Select(s => s["name"]!.GetValue<string>()));
        var onIssue = sensors[1];
        Assert.Equal("module", onIssue["source"]!.GetValue<string>());
        Assert.Equal("sensors.github.issues", onIssue["module"]!.GetValue<string>());
        Assert.Equal("on_issue", onIssue["fn"]!.GetValue<string>());
        Assert.Equal("poll", sensors[3]["trigger"]!["kind"]!.GetValue<string>());
        Assert.Equal("10m", sensors[3]["trigger"]!["interval"]!.GetValue<string>());
        var declared = sensors[0]["declared"]!;
        Assert.Equal(["HEALTH_URL"], declared["env"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal("30s", declared["timeout"]!.GetValue<string>());
        Assert.Equal("sensors/poll.yaml", declared["file"]!.GetValue<string>());
    }

    [Fact]
    public void Emit_forms_become_emit_when_rules()
    {
        var result = Compile(new()
        {
            ["registry.yml"] = FixtureProject.Registry + "  Report:\n    link: url\n  Rework:\n    reason: str\n  Shipped:\n    pr_url: url\n",
            ["workflows/flow/finish.md"] = "---\nafter: start\nagent: Worker\noutput:\n  verdict: \"enum[pass, fail]\"\n  ok: bool\nemits:\n  Report: null\n  Rework: { when: { verdict: fail, ok: false } }\n  Shipped: { when: always }\n---\nFinish {{ start.result }}.\n",
            ["workflows/flow/start.md"] = FixtureProject.Start.Replace("result: str", "result: str\nemits: [Ping]", StringComparison.Ordinal),
        });
        var finish = Step(result, "flow", "finish");
        Assert.Equal(["Report", "Rework", "Shipped"], finish["emits"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Null(finish["emit_when"]!["Report"]);
        Assert.Equal("always", finish["emit_when"]!["Shipped"]!.GetValue<string>());
        Assert.Equal("fail", finish["emit_when"]!["Rework"]!["verdict"]!.GetValue<string>());
        Assert.False(finish["emit_when"]!["Rework"]!["ok"]!.GetValue<bool>());
        Assert.Null(Step(result, "flow", "start")["emit_when"]!["Ping"]);
    }

    [Fact]
    public void Agents_inherit_defaults_and_skills_replace_the_default_list()
    {
        var registry = FixtureProject.Registry.Replace("agents:\n", "agents:\n  Reviewer:\n    skills: [rubrics/quality]\n  Plain: {}\n", StringComparison.Ordinal);
        var result = Compile(new()
        {
            ["registry.yml"] = "defaults:\n  agent: { sandbox: default, model: claude-sonnet-4-6, harness: claude-code, skills: [triage] }\n" + registry,
            ["skills/triage/SKILL.md"] = "Triage.\n",
            ["skills/rubrics/quality/SKILL.md"] = "Quality.\n",
        });
        var agents = result.Manifest!["registry"]!["agents"]!;
        Assert.Equal(["rubrics/quality"], agents["Reviewer"]!["skills"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["triage"], agents["Plain"]!["skills"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("claude-code", agents["Plain"]!["harness"]!.GetValue<string>());
        Assert.Null(agents["Plain"]!["command"]);
        Assert.Equal("exec", agents["Worker"]!["harness"]!.GetValue<string>());
    }

    [Fact]
    public void Sandbox_lists_and_repos_take_their_canonical_shape()
    {
        var registry = FixtureProject.Registry.Replace("    provider: local\n",
            "    provider: docker\n    image: python:3.12-slim\n    env_file: secrets/base.env\n    env: ANTHROPIC_API_KEY\n    network: [github.com, \"*.github.com\"]\n    repos: [acme/runbooks, { url: acme/service, ref: main, path: service, depth: null }]\n",
            StringComparison.Ordinal);
        var result = Compile(new() { ["registry.yml"] = registry });
        var sandbox = result.Manifest!["registry"]!["sandboxes"]!["default"]!;
        Assert.Equal("python:3.12-slim", sandbox["image"]!.GetValue<string>());
        Assert.Equal(["secrets/base.env"], sandbox["env_file"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(["ANTHROPIC_API_KEY"], sandbox["env"]!.AsArray().Select(s => s!.GetValue<string>()));
        var repos = sandbox["repos"]!.AsArray();
        Assert.Equal(1, repos[0]!["depth"]!.GetValue<long>());
        Assert.Null(repos[0]!["ref"]);
        Assert.Null(repos[1]!["depth"]);
        Assert.Equal("service", repos[1]!["path"]!.GetValue<string>());
    }

    [Fact]
    public void Template_refs_keep_repeats_in_body_order_and_allow_hyphenated_producers()
    {
        var result = Compile(new()
        {
            ["workflows/flow/scan-deps.md"] = "---\nafter: start\nagent: Worker\noutput:\n  count: int\n---\nScan {{ start.result }}.\n",
            ["workflows/flow/finish.md"] = "---\nafter: [start, scan-deps]\nagent: Worker\n---\nFinish {{start.result}} then\n{{ scan-deps.count }} and again {{ start.result }}.\n",
        });
        var refs = Step(result, "flow", "finish")["refs"]!.AsArray().Select(r => (r!["producer"]!.GetValue<string>(), r["raw"]!.GetValue<string>())).ToList();
        Assert.Equal([("start", "{{start.result}}"), ("scan-deps", "{{ scan-deps.count }}"), ("start", "{{ start.result }}")], refs);
    }

    [Fact]
    public void Template_errors_are_reported_at_the_file_line_of_the_tag()
    {
        var result = LoopyCompiler.Compile(FixtureProject.With(new Dictionary<string, string?>
        {
            ["workflows/flow/finish.md"] = "---\nafter: start\nagent: Worker\n---\nline five\nline six {{ start.a.b }}\n\nline eight {{ start.nope }}\n",
        }));
        Assert.Equal([("E301", 6), ("E305", 8)], result.Diagnostics.Select(d => (d.Code, d.Line)));
    }

    [Fact]
    public void Cron_triggers_keep_the_zone_and_accept_it_quoted()
    {
        var result = Compile(new()
        {
            ["workflows/nightly/run.md"] = "---\non: cron(\"30 2 * * mon-fri\", tz=\"America/New_York\")\nagent: Worker\n---\nAt {{ event.scheduled_at }} since {{ event.last_run }}.\n",
        });
        var trigger = Step(result, "nightly", "run")["trigger"]!;
        Assert.Equal("cron", trigger["kind"]!.GetValue<string>());
        Assert.Equal("America/New_York", trigger["tz"]!.GetValue<string>());
    }

    [Fact]
    public void Yaml_core_schema_keeps_on_yes_no_as_strings()
    {
        var result = LoopyCompiler.Compile(FixtureProject.With(new Dictionary<string, string?>
        {
            ["registry.yml"] = FixtureProject.Registry + "  Vote:\n    answer: enum[yes, no, on]\n",
            ["workflows/vote/cast.md"] = "---\non: Vote(answer=\"yes\")\nagent: Worker\noutput:\n  answer: enum[yes, no]\nemits:\n  Vote: { when: { answer: no } }\n---\nVote {{ event.answer }}.\n",
        }));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Files_outside_discovery_are_ignored()
    {
        var result = Compile(new()
        {
            ["workflows/x.md"] = "not a step",
            ["workflows/flow/deeper/y.md"] = "not a step",
            ["workflows/flow/z.md.disabled"] = "not a step",
            ["workflows/.hidden/a.md"] = "not a step",
            ["sensors/__pycache__/x.py"] = "((",
            ["sensors/.env"] = "SECRET=1",
        });
        Assert.Equal(["finish", "start"], result.Manifest!["workflows"]!["flow"]!["steps"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Diagnostics_render_with_severity_code_location_and_hint()
    {
        var result = LoopyCompiler.Compile(ProjectSource.FromFiles(new Dictionary<string, byte[]>()));
        Assert.Equal("error LOOPY-E001 registry.yml: registry.yml not found at the project root\n", LoopyCompiler.FormatText(result.Diagnostics));
        var flow = LoopyCompiler.Compile(FixtureProject.With(new Dictionary<string, string?>
        {
            ["workflows/flow/start.md"] = "---\non: Ping\nagent: Worker\noutput: { result: enum[a, b] }\n---\nGo.\n",
        }));
        var text = LoopyCompiler.FormatText(flow.Diagnostics);
        Assert.StartsWith("error LOOPY-E101 workflows/flow/start.md:1: workflows/flow/start.md: invalid frontmatter or empty body\n  hint: ", text, StringComparison.Ordinal);
        Assert.Contains("\"enum[a, b]\"", text, StringComparison.Ordinal);
    }
}
