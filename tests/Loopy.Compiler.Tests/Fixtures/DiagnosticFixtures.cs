namespace Loopy.Compiler.Tests.Fixtures;

/// <summary>One or more fixtures per catalog code.</summary>
public static class DiagnosticFixtures
{
    private const string Reg = "registry.yml";
    private const string StartMd = "workflows/flow/start.md";
    private const string FinishMd = "workflows/flow/finish.md";
    private const string SensorYml = "sensors/ping.yml";

    private static Dictionary<string, string?> Files(params (string Path, string? Content)[] files) =>
        files.ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);

    private static string RegistryWith(string old, string replacement)
    {
        Assert.Contains(old, FixtureProject.Registry, StringComparison.Ordinal);
        return FixtureProject.Registry.Replace(old, replacement, StringComparison.Ordinal);
    }

    private static string Step(string frontmatter, string body) => $"---\n{frontmatter}\n---\n{body}\n";

    public static IReadOnlyList<DiagnosticFixture> All { get; } =
    [
        new("E001 registry is a list", "E001", Reg, 1, Files((Reg, "- sandboxes\n- agents\n"))),
        new("E001 registry missing", "E001", Reg, 0, Files((Reg, null))),
        new("E001 registry unparseable", "E001", Reg, 3, Files((Reg, "events:\n  Ping: { name: str }\n  Ping: { name: str }\n"))),
        new("E101 unclosed frontmatter", "E101", StartMd, 1, Files((StartMd, "---\non: Ping\nagent: Worker\n"))),
        new("E101 empty body", "E101", StartMd, 1, Files((StartMd, "---\non: Ping\nagent: Worker\n---\n   \n"))),
        new("E101 flow enum", "E101", StartMd, 1, Files((StartMd, Step("on: Ping\nagent: Worker\noutput: { result: enum[a, b] }", "Go.")))),
        new("E102 two entries", "E102", "workflows/flow/again.md", 1, Files(("workflows/flow/again.md", Step("on: Ping\nagent: Worker", "Again.")))),
        new("E103 orphan", "E103", "workflows/flow/lonely.md", 1, Files(("workflows/flow/lonely.md", Step("agent: Worker", "Alone.")))),
        new("E104 on and after", "E104", FinishMd, 1, Files((FinishMd, Step("on: Ping\nafter: start\nagent: Worker", "Finish {{ start.result }}.")))),
        new("E105 unknown after", "E105", FinishMd, 2, Files((FinishMd, Step("after: begin\nagent: Worker", "Finish.")))),
        new("E106 self cycle", "E106", FinishMd, 1, Files((FinishMd, Step("after: [start, finish]\nagent: Worker", "Finish {{ start.result }}.")))),
        new("E106 two-step cycle", "E106", "workflows/flow/a.md", 1, Files(
            ("workflows/flow/a.md", Step("after: b\nagent: Worker", "A.")), ("workflows/flow/b.md", Step("after: a\nagent: Worker", "B.")))),
        new("E107 path listed twice", "E107", FinishMd, 1, Files(), ListedTwice: [FinishMd]),
        new("E110 four fields", "E110", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: cron(\"0 3 * *\")", StringComparison.Ordinal)))),
        new("E110 unknown zone", "E110", StartMd, 2, Files((StartMd, Step("on: cron(\"0 3 * * *\", tz=Mars/Olympus)\nagent: Worker\noutput:\n  result: str", "Tick {{ event.scheduled_at }}.")))),
        new("E110 malformed", "E110", StartMd, 2, Files((StartMd, Step("on: cron(0 3 * * *)\nagent: Worker\noutput:\n  result: str", "Tick.")))),
        new("E111 list", "E111", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: [Ping]", StringComparison.Ordinal)))),
        new("E112 unknown built-in", "E112", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: Github.PullRequestClosed", StringComparison.Ordinal)))),
        new("E113 unquoted filter", "E113", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: Ping(name=foo)", StringComparison.Ordinal)))),
        new("E113 repeated filter", "E113", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: Ping(name=\"a\", name=\"b\")", StringComparison.Ordinal)))),
        new("E114 missing filter field", "E114", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: Ping(nmae=\"x\")", StringComparison.Ordinal))),
            Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: Ping(name=\"x\")", StringComparison.Ordinal)))),
        new("E114 non-string filter field", "E114", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: Ping(level=\"3\")", StringComparison.Ordinal)))),
        new("E201 event field", "E201", Reg, 13, Files((Reg, RegistryWith("level: int", "level: integer")))),
        new("E201 output", "E201", StartMd, 5, Files((StartMd, FixtureProject.Start.Replace("result: str", "result: id", StringComparison.Ordinal)))),
        new("E210 lowercase event", "E210", Reg, 14, Files((Reg, FixtureProject.Registry + "  lower:\n    a: str\n"))),
        new("E210 event named default", "E210", Reg, 14, Files((Reg, FixtureProject.Registry + "  default:\n    a: str\n"))),
        new("E211 agent and event", "E211", Reg, 14, Files((Reg, FixtureProject.Registry + "  Worker:\n    a: str\n"))),
        new("E212 repos not a list", "E212", Reg, 4, Files((Reg, RegistryWith("provider: local\n", "provider: local\n    repos: acme/service\n"))),
            Files((Reg, RegistryWith("provider: local\n", "provider: local\n    repos: [acme/service]\n")))),
        new("E212 repo without url", "E212", Reg, 4, Files((Reg, RegistryWith("provider: local\n", "provider: local\n    repos: [{ ref: main }]\n")))),
        new("E213 cascade not a mapping", "E213", Reg, 15, Files((Reg, FixtureProject.Registry + "limits:\n  cascade_spend: 50\n")),
            Files((Reg, FixtureProject.Registry + "limits:\n  cascade_spend: { usd: 50 }\n"))),
        new("E214 no provider", "E214", Reg, 2, Files((Reg, RegistryWith("    provider: local\n", "    network: []\n")))),
        new("E215 reserved event", "E215", Reg, 14, Files((Reg, FixtureProject.Registry + "  Github.Deployed:\n    a: str\n"))),
        new("E215 reserved event used as a trigger", "E215", Reg, 14, Files((Reg, FixtureProject.Registry + "  Github.Deployed:\n    a: str\n"),
            ("workflows/deploy/note.md", Step("on: Github.Deployed\nagent: Worker", "Note {{ event.a }}."))), Files()),
        new("E215 reserved step emit", "E215", FinishMd, 3, Files((FinishMd, Step("after: start\nemits: Sentry.Thing\nagent: Worker", "Finish {{ start.result }}.")))),
        new("E216 reserved env", "E216", Reg, 4, Files((Reg, RegistryWith("provider: local\n", "provider: local\n    env: [LOOPY_TOKEN]\n"))),
            Files((Reg, RegistryWith("provider: local\n", "provider: local\n    env: [GITHUB_TOKEN]\n")))),
        new("E216 not a name", "E216", Reg, 4, Files((Reg, RegistryWith("provider: local\n", "provider: local\n    env: [\"1BAD\"]\n")))),
        new("E217 shared engine variable", "E217", Reg, 9, Files((Reg, RegistryWith("    provider: local\n",
            "    provider: local\n  Web-app:\n    provider: local\n    env: [KEY]\n  Web_app:\n    provider: local\n    env: [KEY]\n")))),
        new("E301 filter", "E301", FinishMd, 5, Files((FinishMd, FixtureProject.Finish.Replace("{{ start.result }}", "{{ start.result | upper }}", StringComparison.Ordinal)))),
        new("E301 control flow", "E301", FinishMd, 6, Files((FinishMd, Step("after: start\nagent: Worker", "Finish {{ start.result }}.\n{% if x %}y{% endif %}")))),
        new("E302 event field", "E302", StartMd, 7, Files((StartMd, FixtureProject.Start.Replace("event.name", "event.nmae", StringComparison.Ordinal)))),
        new("E303 cron field", "E303", StartMd, 7, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: cron(\"*/5 * * * *\", tz=Europe/Paris)", StringComparison.Ordinal))),
            Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: cron(\"*/5 * * * *\", tz=Europe/Paris)", StringComparison.Ordinal).Replace("event.name", "event.scheduled_at", StringComparison.Ordinal)))),
        new("E304 not a direct predecessor", "E304", "workflows/flow/last.md", 5, Files(("workflows/flow/last.md", Step("after: finish\nagent: Worker", "Last {{ start.result }}."))),
            Files(("workflows/flow/last.md", Step("after: [finish, start]\nagent: Worker", "Last {{ start.result }}.")))),
        new("E305 not an output key", "E305", FinishMd, 5, Files((FinishMd, FixtureProject.Finish.Replace("start.result", "start.missing", StringComparison.Ordinal)))),
        new("E401 unregistered sensor event", "E401", SensorYml, 5, Files((SensorYml, FixtureProject.Sensor + "pong_hook:\n  webhook: /hooks/pong\n  emits: Pong\n  map: { name: $.name }\n"))),
        new("E402 emits not a literal", "E402", SensorYml, 7, Files((SensorYml, FixtureProject.Sensor + "bad_hook:\n  webhook: /hooks/bad\n  emits: [Ping]\n  map: { name: $.n }\n"))),
        new("E402 python not analyzable", "E402", "sensors/hooks.py", 4, Files(("sensors/hooks.py", "from loopy import sensor\n\n\ndef broken(:\n    pass\n")),
            Files(("sensors/hooks.py", "from loopy import sensor\n\n\n@sensor(webhook=\"/hooks/py\", emits=\"Ping\")\ndef py_hook(req):\n    return None\n"))),
        new("E402 python emits not literal", "E402", "sensors/hooks.py", 3, Files(("sensors/hooks.py", "import loopy\n\n@loopy.sensor(poll=\"5m\", emits=Ping)\nasync def poller(tick):\n    return []\n"))),
        new("E403 malformed poll", "E403", SensorYml, 5, Files((SensorYml, FixtureProject.Sensor + "poller:\n  poll: 5 minutes\n  emits: Ping\n  exec: [sh, poll.sh]\n")),
            Files((SensorYml, FixtureProject.Sensor + "poller:\n  poll: 5m\n  emits: Ping\n  exec: [sh, poll.sh]\n"))),
        new("E403 both webhook and poll", "E403", SensorYml, 5, Files((SensorYml, FixtureProject.Sensor + "both:\n  poll: 5m\n  webhook: /hooks/both\n  emits: Ping\n  exec: [sh, poll.sh]\n"))),
        new("E403 duplicate webhook", "E403", SensorYml, 5, Files((SensorYml, FixtureProject.Sensor + "again:\n  webhook: /hooks/ping\n  emits: Ping\n  map: { name: $.name }\n"))),
        new("E403 reserved path", "E403", SensorYml, 5, Files((SensorYml, FixtureProject.Sensor + "admin:\n  webhook: /admin/hooks\n  emits: Ping\n  map: { name: $.name }\n"))),
        new("E501 unknown agent", "E501", FinishMd, 3, Files((FinishMd, FixtureProject.Finish.Replace("agent: Worker", "agent: Nobody", StringComparison.Ordinal)))),
        new("E502 unknown sandbox", "E502", Reg, 6, Files((Reg, RegistryWith("sandbox: default", "sandbox: Nowhere")))),
        new("E503 unknown skill", "E503", Reg, 10, Files((Reg, RegistryWith("command: [sh, run.sh]\n", "command: [sh, run.sh]\n    skills: [triage]\n"))),
            Files((Reg, RegistryWith("command: [sh, run.sh]\n", "command: [sh, run.sh]\n    skills: [triage]\n")), ("skills/triage/SKILL.md", "Triage.\n"))),
        new("E504 unregistered emit", "E504", FinishMd, 3, Files((FinishMd, Step("after: start\nemits: Pong\nagent: Worker", "Finish {{ start.result }}.")))),
        new("E504 unregistered trigger", "E504", StartMd, 2, Files((StartMd, FixtureProject.Start.Replace("on: Ping", "on: Pong", StringComparison.Ordinal)))),
        new("E505 unknown workflow limit", "E505", Reg, 16, Files((Reg, FixtureProject.Registry + "limits:\n  workflows:\n    nope: { spend: { usd: 1 } }\n")),
            Files((Reg, FixtureProject.Registry + "limits:\n  workflows:\n    flow: { spend: { usd: 1 } }\n"))),
        new("E506 no sandbox", "E506", Reg, 5, Files((Reg, RegistryWith("    sandbox: default\n", string.Empty)))),
        new("E507 no model", "E507", Reg, 5, Files((Reg, RegistryWith("    model: fake-v1\n", string.Empty)))),
        new("E507 retired harness", "E507", Reg, 5, Files((Reg, RegistryWith("    harness: exec\n    model: fake-v1\n", "    harness: { runtime: exec, model: fake-v1 }\n")))),
        new("E508 ineligible model", "E508", Reg, 13, Files((Reg, RegistryWith("events:\n", "  Coder:\n    sandbox: default\n    harness: codex\n    model: claude-sonnet-4-6\nevents:\n"))),
            Files((Reg, RegistryWith("events:\n", "  Coder:\n    sandbox: default\n    harness: codex\n    model: gpt-5\nevents:\n")))),
        new("E508 unknown harness", "E508", Reg, 7, Files((Reg, RegistryWith("harness: exec\n", "harness: shell\n").Replace("    command: [sh, run.sh]\n", string.Empty, StringComparison.Ordinal)))),
        new("W501 dead trigger", "W501", Reg, 11, Files((SensorYml, null))),
        new("E901 fractional wall_clock", "E901", FinishMd, 4, Files((FinishMd, Step("after: start\nagent: Worker\nbudget: { wall_clock: 1.5 }", "Finish {{ start.result }}."))),
            Files((FinishMd, Step("after: start\nagent: Worker\nbudget: { wall_clock: 2, spend: { usd: 0.5 } }", "Finish {{ start.result }}.")))),
        new("E901 agent not a string", "E901", FinishMd, 3, Files((FinishMd, Step("after: start\nagent: [Worker]", "Finish {{ start.result }}.")))),
        new("E901 output not a mapping", "E901", FinishMd, 4, Files((FinishMd, Step("after: start\nagent: Worker\noutput: [a, b]", "Finish {{ start.result }}.")))),
        new("E902 exec without command", "E902", Reg, 5, Files((Reg, RegistryWith("    command: [sh, run.sh]\n", string.Empty)))),
        new("E902 command on claude-code", "E902", Reg, 9, Files((Reg, RegistryWith("harness: exec\n    model: fake-v1", "harness: claude-code\n    model: claude-sonnet-4-6")))),
        new("E903 impossible when", "E903", StartMd, 8, Files((StartMd, Step("on: Ping\nagent: Worker\noutput:\n  result: \"enum[ok, failed]\"\nemits:\n  Ping:\n    when: { result: broken }", "Handle {{ event.name }}."))),
            Files((StartMd, Step("on: Ping\nagent: Worker\noutput:\n  result: \"enum[ok, failed]\"\nemits:\n  Ping:\n    when: { result: failed }", "Handle {{ event.name }}.")))),
        new("E903 when on a key that is not an output", "E903", StartMd, 8, Files((StartMd, Step("on: Ping\nagent: Worker\noutput:\n  result: str\nemits:\n  Ping:\n    when: { verdict: fail }", "Handle {{ event.name }}.")))),
        new("E903 when without any output", "E903", FinishMd, 6, Files((FinishMd, Step("after: start\nagent: Worker\nemits:\n  Ping:\n    when: { ok: true }", "Finish {{ start.result }}.")))),
        new("W901 unknown step key", "W901", FinishMd, 4, Files((FinishMd, Step("after: start\nagent: Worker\ncolour: blue", "Finish {{ start.result }}.")))),
        new("W901 unknown registry key", "W901", Reg, 1, Files((Reg, "version: 2\n" + FixtureProject.Registry)), Files((Reg, FixtureProject.Registry))),
        new("W902 no agent", "W902", FinishMd, 1, Files((FinishMd, Step("after: start", "Finish {{ start.result }}.")))),
    ];
}
