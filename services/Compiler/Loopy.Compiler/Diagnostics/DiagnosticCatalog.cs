namespace Loopy.Compiler.Diagnostics;

/// <summary>
/// Every diagnostic code (AUTHORING.md §6), in one file so that no two codes can collide. Codes are never renumbered
/// or reused; there is deliberately no E108/E109.
/// </summary>
public static class DiagnosticCatalog
{
    private const DiagnosticSeverity Error = DiagnosticSeverity.Error;
    private const DiagnosticSeverity Warning = DiagnosticSeverity.Warning;

    public static readonly CatalogEntry E001 = new("E001", Error, "registry.yml missing, unparseable or not a mapping",
        "The project root must hold registry.yml: a YAML mapping whose optional sections are defaults, sandboxes, agents, events and limits. A missing file, invalid YAML, a non-mapping file or section, or a null or non-string key is E001.",
        "events:\n  - Incident      # a list, not a mapping",
        "events:\n  Incident:\n    title: str");

    public static readonly CatalogEntry E101 = new("E101", Error, "invalid frontmatter or empty body",
        "A step file starts with a line '---', holds a YAML mapping, closes with another '---' line, then a prompt body with at least one non-whitespace character. In a flow mapping '[' opens a sequence, so { k: enum[a, b] } is invalid YAML.",
        "---\non: Hello\nagent: Greeter\n(no closing fence)",
        "---\non: Hello\nagent: Greeter\n---\nGreet {{ event.name }}.");

    public static readonly CatalogEntry E102 = new("E102", Error, "a workflow needs exactly one entry step",
        "Each workflow has exactly one step with on:; every other step runs after: another.",
        "workflows/w/a.md: on: Hello\nworkflows/w/b.md: on: Hello",
        "workflows/w/a.md: on: Hello\nworkflows/w/b.md: after: a");

    public static readonly CatalogEntry E103 = new("E103", Error, "orphan step",
        "A step that has neither on: nor after: can never run.",
        "---\nagent: Writer\n---\nWrite.",
        "---\nafter: plan\nagent: Writer\n---\nWrite.");

    public static readonly CatalogEntry E104 = new("E104", Error, "on: and after: together",
        "on: marks the entry step; after: marks a later step. A step is one or the other.",
        "---\non: Hello\nafter: greet\n---\n...",
        "---\nafter: greet\n---\n...");

    public static readonly CatalogEntry E105 = new("E105", Error, "after: names an unknown step",
        "after: targets are step names (file stems) of the same workflow.",
        "---\nafter: plann\n---\n...",
        "---\nafter: plan\n---\n...");

    public static readonly CatalogEntry E106 = new("E106", Error, "after: cycle",
        "The after: graph must be acyclic. Loops go through events: a step emits an event that a workflow is triggered on.",
        "a.md: after: b\nb.md: after: a",
        "a.md: on: Start\nb.md: after: a");

    public static readonly CatalogEntry E107 = new("E107", Error, "duplicate step id",
        "Step ids <workflow>/<step> must be unique. A folder cannot hold one path twice, but a project handed over as an archive or an entry list can.",
        "an archive listing workflows/w/review.md twice",
        "keep one entry per step file");

    public static readonly CatalogEntry E110 = new("E110", Error, "malformed cron trigger",
        "A cron trigger is on: cron(\"<5 fields>\") with an optional , tz=<IANA zone>.",
        "on: cron(\"0 3 * *\")",
        "on: cron(\"0 3 * * *\", tz=Europe/Paris)");

    public static readonly CatalogEntry E111 = new("E111", Error, "on: must be one trigger",
        "on: names exactly one event or one cron(...) trigger; a list is not allowed (fan-in belongs in sensors).",
        "on: [Incident, Alert]",
        "on: Incident");

    public static readonly CatalogEntry E112 = new("E112", Error, "unknown built-in event",
        "Github., Sentry. and Datadog. are reserved for built-in vendor events; only the listed ones exist.",
        "on: Github.PullRequestClosed",
        "on: Github.PullRequestMerged");

    public static readonly CatalogEntry E113 = new("E113", Error, "malformed filtered trigger",
        "A filtered trigger is Event(field=\"value\", ...): exact string matches, values double-quoted, each field once.",
        "on: Incident(source=sentry)",
        "on: Incident(source=\"sentry\")");

    public static readonly CatalogEntry E114 = new("E114", Error, "filter on a missing or non-string field",
        "A filter field must be a field of the event's contract whose schema type is \"string\".",
        "on: Incident(sevrity=\"high\")",
        "on: Incident(severity=\"high\")");

    public static readonly CatalogEntry E201 = new("E201", Error, "unknown type shorthand",
        "Event fields and step outputs use str, int, float, bool, url, enum[a, b] or a JSON Schema mapping.",
        "issue_id: id",
        "issue_id: str");

    public static readonly CatalogEntry E210 = new("E210", Error, "name must be Capitalized",
        "Sandbox, agent and event names start with an uppercase letter; 'default' is valid only as a sandbox name.",
        "agents:\n  fixer: {}",
        "agents:\n  Fixer: {}");

    public static readonly CatalogEntry E211 = new("E211", Error, "one name in two sections",
        "A name is used once across sandboxes, agents and events.",
        "agents:\n  Review: {}\nevents:\n  Review: { pr: url }",
        "agents:\n  Reviewer: {}\nevents:\n  Review: { pr: url }");

    public static readonly CatalogEntry E212 = new("E212", Error, "malformed repos:",
        "repos: is a list of 'owner/name', URLs or {url, ref?, path?, depth?} mappings.",
        "repos: acme/service",
        "repos: [acme/service]");

    public static readonly CatalogEntry E213 = new("E213", Error, "malformed limits:",
        "limits.cascade_spend and limits.workflows.<wf>.spend are mappings with a numeric 'usd'.",
        "limits:\n  cascade_spend: 50",
        "limits:\n  cascade_spend: { usd: 50 }");

    public static readonly CatalogEntry E214 = new("E214", Error, "sandbox without provider",
        "Every sandbox declares provider: local, bwrap, docker or daytona.",
        "sandboxes:\n  default: { image: { debian_slim: \"3.12\" } }",
        "sandboxes:\n  default: { provider: docker }");

    public static readonly CatalogEntry E215 = new("E215", Error, "reserved namespace",
        "Names starting with Github., Sentry. or Datadog. belong to built-in vendor events; no user event, sensor emits or step emits may use them.",
        "events:\n  Github.Deployed: { sha: str }",
        "events:\n  Deployed: { sha: str }");

    public static readonly CatalogEntry E216 = new("E216", Error, "invalid or reserved env: entry",
        "An env: entry is a variable name; neither it nor <SANDBOX>_<NAME> may be a reserved engine variable (LOOPY_*, ConnectionStrings__*, webhook secrets, GitHub App and Daytona credentials).",
        "env: [GITHUB_APP_PRIVATE_KEY]",
        "env: [GITHUB_TOKEN]");

    public static readonly CatalogEntry E217 = new("E217", Error, "two sandboxes read one engine variable",
        "Forwarded names resolve to <PREFIX>_<KEY>, PREFIX being the sandbox name uppercased with non-alphanumerics as '_'. Two sandboxes must not resolve to the same variable.",
        "sandboxes:\n  Web-app: { provider: local, env: [KEY] }\n  Web_app: { provider: local, env: [KEY] }",
        "rename one sandbox, e.g. WebApi");

    public static readonly CatalogEntry E301 = new("E301", Error, "illegal template",
        "The only template form is {{ producer.field }}; no {% %} control flow, filters, expressions or dotted paths.",
        "{{ fix.pr.url | upper }}",
        "{{ fix.pr_url }}");

    public static readonly CatalogEntry E302 = new("E302", Error, "not a field of the trigger event",
        "{{ event.f }} must name a field of the entry event's contract.",
        "{{ event.titel }}",
        "{{ event.title }}");

    public static readonly CatalogEntry E303 = new("E303", Error, "cron exposes only scheduled_at and last_run",
        "A cron-triggered workflow has no event fields besides scheduled_at and last_run.",
        "{{ event.name }}",
        "{{ event.scheduled_at }}");

    public static readonly CatalogEntry E304 = new("E304", Error, "not a direct after: predecessor",
        "{{ p.f }} may only read step p when p is listed directly in this step's after:.",
        "---\nafter: review\n---\n{{ plan.goal }}",
        "---\nafter: [review, plan]\n---\n{{ plan.goal }}");

    public static readonly CatalogEntry E305 = new("E305", Error, "not an output key of the producer",
        "{{ p.f }} must name a top-level key of step p's output:.",
        "{{ fix.url }}   # fix has output: { pr_url: url }",
        "{{ fix.pr_url }}");

    public static readonly CatalogEntry E401 = new("E401", Error, "sensor emits an unregistered event",
        "A sensor's emits must name an event registered in registry.yml.",
        "emits: Incidnet",
        "emits: Incident");

    public static readonly CatalogEntry E402 = new("E402", Error, "sensor not statically analyzable",
        "A sensor declares emits as a literal string; a sensor file must parse (YAML mapping, or Python with balanced tokens and readable @sensor decorators).",
        "@sensor(poll=\"5m\", emits=Incident)",
        "@sensor(poll=\"5m\", emits=\"Incident\")");

    public static readonly CatalogEntry E403 = new("E403", Error, "sensor trigger malformed or conflicting",
        "Exactly one of webhook and poll; poll intervals like 5m (not zero); webhook paths start with '/' and avoid /events, /health, /alive, /healthz and /admin; no duplicate (path, emits) pair or sensor name; one verify per path.",
        "poll: 5 minutes",
        "poll: 5m");

    public static readonly CatalogEntry E501 = new("E501", Error, "unknown agent",
        "A step's agent: must name an agent registered in registry.yml.",
        "agent: Fixr",
        "agent: Fixer");

    public static readonly CatalogEntry E502 = new("E502", Error, "unknown sandbox",
        "An agent's sandbox (its own or defaults.agent.sandbox) must be registered under sandboxes:.",
        "agents:\n  Fixer: { sandbox: Dokcer }",
        "agents:\n  Fixer: { sandbox: Docker }");

    public static readonly CatalogEntry E503 = new("E503", Error, "unknown skill",
        "Each skill of an agent is a folder below skills/ (nesting allowed: rubrics/fix-quality).",
        "skills: [triage]   # but skills/triage/ does not exist",
        "create skills/triage/SKILL.md");

    public static readonly CatalogEntry E504 = new("E504", Error, "unregistered event",
        "on: and emits: name events registered in registry.yml (or, for on:, a built-in vendor event).",
        "on: Incidnet",
        "on: Incident");

    public static readonly CatalogEntry E505 = new("E505", Error, "limit for an unknown workflow",
        "limits.workflows keys are workflow folder names under workflows/.",
        "limits:\n  workflows: { triag: { spend: { usd: 5 } } }",
        "limits:\n  workflows: { triage: { spend: { usd: 5 } } }");

    public static readonly CatalogEntry E506 = new("E506", Error, "agent without sandbox",
        "Every agent names a sandbox, on the agent or in defaults.agent.",
        "agents:\n  Fixer: { model: claude-sonnet-4-6, harness: claude-code }",
        "agents:\n  Fixer: { sandbox: default, model: claude-sonnet-4-6, harness: claude-code }");

    public static readonly CatalogEntry E507 = new("E507", Error, "agent without model or harness",
        "Every agent has a model and a harness, on the agent or in defaults.agent. The retired form harness: { runtime, model } satisfies neither.",
        "agents:\n  Fixer: { harness: { runtime: claude-code, model: claude-sonnet-4-6 } }",
        "agents:\n  Fixer: { harness: claude-code, model: claude-sonnet-4-6 }");

    public static readonly CatalogEntry E508 = new("E508", Error, "model not eligible for the harness",
        "Harnesses: claude-code (claude-…), codex (gpt-… or codex…), opencode (anthropic/…, openai/… or bare claude-/gpt-/codex), exec (any model string).",
        "agents:\n  Fixer: { harness: codex, model: claude-sonnet-4-6 }",
        "agents:\n  Fixer: { harness: claude-code, model: claude-sonnet-4-6 }");

    public static readonly CatalogEntry W501 = new("W501", Warning, "dead trigger",
        "An event consumed by an on: step has no producer (no sensor, no emitting step). Normal for events fired by hand or by outside producers.",
        "events:\n  Hello: { name: str }   # only consumed",
        "add a sensor or a step that emits Hello, or ignore the warning");

    public static readonly CatalogEntry E901 = new("E901", Error, "frontmatter value of the wrong shape",
        "output and budget are mappings, wall_clock/window/latency positive integers, usd a positive number, agent a string, after/emits items strings, emit rules {} / null / {when: always} / {when: {key: value}}.",
        "budget: { wall_clock: 1.5 }",
        "budget: { wall_clock: 2 }");

    public static readonly CatalogEntry E902 = new("E902", Error, "exec command missing or misplaced",
        "The exec harness requires command: (an argv list or one string run as sh -c); other harnesses must not set it.",
        "agents:\n  Labeler: { harness: exec, model: rules-v1 }",
        "agents:\n  Labeler: { harness: exec, model: rules-v1, command: [sh, scripts/label.sh] }");

    public static readonly CatalogEntry E903 = new("E903", Error, "emit condition the output cannot produce",
        "when: keys are output keys and their values must fit the key's schema.",
        "output: { verdict: \"enum[pass, fail]\" }\nemits: { Rework: { when: { verdict: failed } } }",
        "emits: { Rework: { when: { verdict: fail } } }");

    public static readonly CatalogEntry W901 = new("W901", Warning, "unknown key ignored",
        "A key this format does not know is ignored (often a typo).",
        "---\nagnet: Fixer\n---",
        "---\nagent: Fixer\n---");

    public static readonly CatalogEntry W902 = new("W902", Warning, "step without agent",
        "A step without agent: compiles but fails when run.",
        "---\non: Hello\n---\nGreet.",
        "---\non: Hello\nagent: Greeter\n---\nGreet.");

    /// <summary>Every entry, ordered by code.</summary>
    public static IReadOnlyList<CatalogEntry> All { get; } =
    [
        E001, E101, E102, E103, E104, E105, E106, E107, E110, E111, E112, E113, E114,
        E201, E210, E211, E212, E213, E214, E215, E216, E217,
        E301, E302, E303, E304, E305, E401, E402, E403,
        E501, E502, E503, E504, E505, E506, E507, E508, W501,
        E901, E902, E903, W901, W902,
    ];

    /// <summary>Finds an entry by <c>E105</c>, <c>LOOPY-E105</c> or lower case; null when unknown.</summary>
    public static CatalogEntry? Find(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var normalized = code.Trim().ToUpperInvariant();
        if (normalized.StartsWith("LOOPY-", StringComparison.Ordinal))
        {
            normalized = normalized["LOOPY-".Length..];
        }

        return All.FirstOrDefault(e => e.Code == normalized);
    }
}
