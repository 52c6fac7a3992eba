using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Model;
using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Compilation;

/// <summary>Stages 1 and 2: discovery and the registry.</summary>
internal sealed partial class Compilation
{
    private static readonly string[] TopKeys = ["defaults", "sandboxes", "agents", "events", "limits"];
    private static readonly string[] AgentKeys = ["sandbox", "model", "harness", "skills", "command"];
    private static readonly string[] SandboxKeys = ["provider", "image", "network", "env_file", "env", "repos"];
    private static readonly string[] ImageKeys = ["debian_slim", "base", "dockerfile", "snapshot", "workdir", "env", "apt", "pip", "pip_requirements", "run", "user", "entrypoint", "cmd"];

    private static readonly HashSet<string> ReservedEnv = new(StringComparer.Ordinal)
    {
        "DAYTONA_API_KEY", "DAYTONA_API_URL", "REDIS_URL", "GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY",
        "GITHUB_WEBHOOK_SECRET", "SENTRY_WEBHOOK_SECRET", "SENTRY_AUTH_TOKEN", "GITHUB_APP_PRIVATE_KEY_FILE",
        "DATADOG_WEBHOOK_SECRET",
    };

    private readonly HashSet<string> _brokenAgents = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reservedDeclared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _entityKinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Sandbox, int Line)> _engineVariables = new(StringComparer.Ordinal);

    private void DiscoverAndParseRegistry()
    {
        if (!_source.Files.Contains(RegistryFile))
        {
            Report(DiagnosticCatalog.E001, RegistryFile, 0, "registry.yml not found at the project root");
            _registryBroken = true;
            return;
        }

        RegistryPresent = true;
        if (!TryRead(RegistryFile, out var text, out var problem))
        {
            Report(DiagnosticCatalog.E001, RegistryFile, 1, $"registry.yml is unparseable: {problem}");
            _registryBroken = true;
            return;
        }

        var parsed = YamlReader.Parse(text);
        if (!parsed.Ok)
        {
            Report(DiagnosticCatalog.E001, RegistryFile, parsed.ErrorLine, $"registry.yml is unparseable: {parsed.Error}",
                FlowEnumMistake(parsed.Error!, text)
                    ? "inside { } write enums quoted, e.g. { source: \"enum[a, b]\" }, or use block style"
                    : null);
            _registryBroken = true;
            return;
        }

        if (parsed.Root is null)
        {
            return;
        }

        if (parsed.Root is not YMapping root)
        {
            Report(DiagnosticCatalog.E001, RegistryFile, parsed.Root.Line, "registry.yml must be a mapping of sandboxes/agents/events");
            _registryBroken = true;
            return;
        }

        YMapping? defaults = null, sandboxes = null, agents = null, events = null;
        YEntry? limits = null;
        foreach (var entry in root.Entries)
        {
            var name = KeyName(entry);
            if (name is null)
            {
                Report(DiagnosticCatalog.E001, RegistryFile, entry.Line, "registry.yml must be a mapping of sandboxes/agents/events with string keys");
                continue;
            }

            if (!TopKeys.Contains(name))
            {
                UnknownKey(RegistryFile, entry.Line, name, "registry.yml");
                continue;
            }

            if (name == "limits")
            {
                limits = entry;
                continue;
            }

            if (entry.Value is YScalar { IsNull: true })
            {
                continue;
            }

            if (entry.Value is not YMapping section)
            {
                Report(DiagnosticCatalog.E001, RegistryFile, entry.Line, $"registry section '{name}' must be a mapping");
                _registryBroken = true;
                continue;
            }

            switch (name)
            {
                case "defaults":
                    defaults = section;
                    break;
                case "sandboxes":
                    sandboxes = section;
                    break;
                case "agents":
                    agents = section;
                    break;
                default:
                    events = section;
                    break;
            }
        }

        if (sandboxes is not null)
        {
            ParseSandboxes(sandboxes);
        }

        var defaultAgent = ParseDefaults(defaults);
        if (agents is not null)
        {
            ParseAgents(agents, defaultAgent);
        }

        if (events is not null)
        {
            ParseEvents(events);
        }

        if (limits is not null)
        {
            ParseLimits(limits);
        }
    }

    /// <summary>In a flow mapping '[' opens a sequence, so <c>{ k: enum[a, b] }</c> is invalid YAML; the hint names the fix.</summary>
    private static bool FlowEnumMistake(string error, string yaml) =>
        error.Contains("flow", StringComparison.OrdinalIgnoreCase) && yaml.Contains("enum[", StringComparison.Ordinal);

    private bool CheckEntityName(YEntry entry, string kind, out string name)
    {
        name = KeyName(entry) ?? string.Empty;
        if (KeyName(entry) is null)
        {
            Report(DiagnosticCatalog.E001, RegistryFile, entry.Line, $"registry {kind} names must be strings");
            return false;
        }

        if (name == "default")
        {
            if (kind != "sandbox")
            {
                Report(DiagnosticCatalog.E210, RegistryFile, entry.Line,
                    $"'default' is reserved for the default sandbox; an {kind} cannot be named 'default'");
                return true;
            }
        }
        else if (name.Length == 0 || !char.IsUpper(name[0]))
        {
            Report(DiagnosticCatalog.E210, RegistryFile, entry.Line, $"{kind} '{name}' must be Capitalized");
            return true;
        }

        if (_entityKinds.TryGetValue(name, out var other))
        {
            Report(DiagnosticCatalog.E211, RegistryFile, entry.Line, $"duplicate entity name '{name}' used as {other} and {kind}");
        }
        else
        {
            _entityKinds[name] = kind;
        }

        return true;
    }

    private void ParseSandboxes(YMapping section)
    {
        foreach (var entry in section.Entries)
        {
            if (!CheckEntityName(entry, "sandbox", out var name))
            {
                continue;
            }

            var sandbox = new SandboxDef(name, entry.Line);
            Sandboxes.TryAdd(name, sandbox);
            if (entry.Value is YScalar { IsNull: true })
            {
                Report(DiagnosticCatalog.E214, RegistryFile, entry.Line, $"sandbox '{name}' must declare a provider: (local | docker | daytona)");
                continue;
            }

            if (entry.Value is not YMapping body)
            {
                Report(DiagnosticCatalog.E001, RegistryFile, entry.Line, $"sandbox '{name}' must be a mapping");
                continue;
            }

            foreach (var item in body.Entries)
            {
                var key = KeyName(item);
                if (key is null || !SandboxKeys.Contains(key))
                {
                    UnknownKey(RegistryFile, item.Line, key ?? "?", $"sandbox '{name}'");
                    continue;
                }

                switch (key)
                {
                    case "provider":
                        if (item.Value is YScalar { Value: string p } && !string.IsNullOrWhiteSpace(p))
                        {
                            sandbox.Provider = p;
                        }

                        break;
                    case "image":
                        ParseImage(sandbox, item);
                        break;
                    case "network":
                        {
                            var list = item.Value is YScalar { IsNull: true } ? [] : item.Value is YSequence ? StringOrList(item.Value) : null;
                            if (list is null)
                            {
                                Report(DiagnosticCatalog.E001, RegistryFile, item.Line, $"sandbox '{name}' network: must be a list of host names");
                            }
                            else
                            {
                                sandbox.Network.AddRange(list.Select(l => l.Value));
                            }

                            break;
                        }

                    case "env_file":
                        {
                            var list = item.Value is YScalar { IsNull: true } ? [] : StringOrList(item.Value);
                            if (list is null)
                            {
                                Report(DiagnosticCatalog.E001, RegistryFile, item.Line, $"sandbox '{name}' env_file: must be a path or a list of paths");
                            }
                            else
                            {
                                sandbox.EnvFile.AddRange(list.Select(l => l.Value));
                            }

                            break;
                        }

                    case "env":
                        ParseSandboxEnv(sandbox, item);
                        break;
                    default:
                        ParseRepos(sandbox, item);
                        break;
                }
            }

            if (sandbox.Provider is null)
            {
                Report(DiagnosticCatalog.E214, RegistryFile, entry.Line, $"sandbox '{name}' must declare a provider: (local | docker | daytona)");
            }
        }
    }

    private void ParseImage(SandboxDef sandbox, YEntry item)
    {
        switch (item.Value)
        {
            case YScalar { IsNull: true }:
                return;
            case YScalar { Value: string s }:
                sandbox.Image = JsonValue.Create(s);
                return;
            case YMapping mapping:
                foreach (var key in mapping.Entries)
                {
                    if (key.Name is null || !ImageKeys.Contains(key.Name))
                    {
                        UnknownKey(RegistryFile, key.Line, key.Name ?? "?", $"sandbox '{sandbox.Name}' image");
                    }
                }

                if (YamlJson.TryConvert(mapping, out var json) && json is not null)
                {
                    sandbox.Image = json;
                }
                else
                {
                    Report(DiagnosticCatalog.E001, RegistryFile, item.Line, $"sandbox '{sandbox.Name}' image: has a value with no JSON form");
                }

                return;
            default:
                Report(DiagnosticCatalog.E001, RegistryFile, item.Line, $"sandbox '{sandbox.Name}' image: must be a string or a mapping");
                return;
        }
    }

    private void ParseSandboxEnv(SandboxDef sandbox, YEntry item)
    {
        var list = item.Value is YScalar { IsNull: true } ? [] : StringOrList(item.Value);
        if (list is null)
        {
            Report(DiagnosticCatalog.E216, RegistryFile, item.Line, $"sandbox '{sandbox.Name}' env: must be a name or a list of names");
            return;
        }

        var prefix = EnvPrefix(sandbox.Name);
        foreach (var (key, line) in list)
        {
            if (!EnvNameRegex().IsMatch(key))
            {
                Report(DiagnosticCatalog.E216, RegistryFile, line, $"sandbox '{sandbox.Name}' env entry '{key}' is not a variable name");
                continue;
            }

            var engine = prefix + "_" + key;
            var reserved = IsReservedEnv(key) ? key : IsReservedEnv(engine) ? engine : null;
            if (reserved is not null)
            {
                Report(DiagnosticCatalog.E216, RegistryFile, line, $"sandbox '{sandbox.Name}' env entry '{key}' names reserved '{reserved}'");
                continue;
            }

            sandbox.Env.Add((key, line));
            if (_engineVariables.TryGetValue(engine, out var first))
            {
                if (first.Sandbox != sandbox.Name)
                {
                    Report(DiagnosticCatalog.E217, RegistryFile, line, $"sandboxes '{first.Sandbox}' and '{sandbox.Name}' both read engine variable '{engine}'");
                }
            }
            else
            {
                _engineVariables[engine] = (sandbox.Name, line);
            }
        }
    }

    private static bool IsReservedEnv(string name) =>
        ReservedEnv.Contains(name) || name.StartsWith("LOOPY_", StringComparison.Ordinal) ||
        name.StartsWith("ConnectionStrings__", StringComparison.Ordinal);

    /// <summary>The sandbox name uppercased, each non-alphanumeric replaced by '_' (<c>code-fixer</c> → <c>CODE_FIXER</c>).</summary>
    public static string EnvPrefix(string sandbox)
    {
        var sb = new StringBuilder(sandbox.Length);
        foreach (var c in sandbox)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return sb.ToString();
    }

    private void ParseRepos(SandboxDef sandbox, YEntry item)
    {
        if (item.Value is YScalar { IsNull: true })
        {
            return;
        }

        if (item.Value is not YSequence sequence)
        {
            Report(DiagnosticCatalog.E212, RegistryFile, item.Line, $"sandbox '{sandbox.Name}' repos: must be a list");
            return;
        }

        const string Shape = "a repo entry must be 'owner/name', a URL or {url, ref, path, depth}";
        foreach (var repo in sequence.Items)
        {
            switch (repo)
            {
                case YScalar { Value: string url } when IsRepoUrl(url):
                    sandbox.Repos.Add(RepoObject(url, null, null, JsonValue.Create(1L)));
                    break;
                case YMapping mapping:
                    {
                        var url = mapping.Find("url");
                        if (url is null)
                        {
                            Report(DiagnosticCatalog.E212, RegistryFile, repo.Line, "a repo entry is missing a 'url'");
                            break;
                        }

                        var refNode = mapping.Find("ref")?.Value;
                        var pathNode = mapping.Find("path")?.Value;
                        var depthEntry = mapping.Find("depth");
                        var ok = url.Value is YScalar { Value: string u } && IsRepoUrl(u)
                            && refNode is null or YScalar { Value: string or null }
                            && pathNode is null or YScalar { Value: string or null }
                            && (depthEntry is null || depthEntry.Value is YScalar { Value: null } || depthEntry.Value is YScalar { Value: long and > 0 })
                            && mapping.Entries.All(e => e.Name is "url" or "ref" or "path" or "depth");
                        if (!ok)
                        {
                            Report(DiagnosticCatalog.E212, RegistryFile, repo.Line, Shape);
                            break;
                        }

                        JsonNode? depth = depthEntry is null ? JsonValue.Create(1L) : YamlJson.ScalarToJson(((YScalar)depthEntry.Value).Value);
                        sandbox.Repos.Add(RepoObject(((YScalar)url.Value).AsString!, (refNode as YScalar)?.AsString, (pathNode as YScalar)?.AsString, depth));
                        break;
                    }

                default:
                    Report(DiagnosticCatalog.E212, RegistryFile, repo.Line, Shape);
                    break;
            }
        }
    }

    private static bool IsRepoUrl(string value) =>
        RepoSlugRegex().IsMatch(value) || value.StartsWith("https://", StringComparison.Ordinal) ||
        value.StartsWith("http://", StringComparison.Ordinal) || value.StartsWith("ssh://", StringComparison.Ordinal) ||
        value.StartsWith("git@", StringComparison.Ordinal) || value.StartsWith("file://", StringComparison.Ordinal);

    private static JsonObject RepoObject(string url, string? gitRef, string? path, JsonNode? depth) => new()
    {
        ["depth"] = depth,
        ["path"] = path,
        ["ref"] = gitRef,
        ["url"] = url,
    };

    private AgentDef ParseDefaults(YMapping? defaults)
    {
        var result = new AgentDef("(defaults)", 0);
        if (defaults is null)
        {
            return result;
        }

        foreach (var entry in defaults.Entries)
        {
            if (entry.Name != "agent")
            {
                UnknownKey(RegistryFile, entry.Line, entry.Name ?? "?", "defaults");
                continue;
            }

            if (entry.Value is YScalar { IsNull: true })
            {
                continue;
            }

            if (entry.Value is not YMapping agent)
            {
                Report(DiagnosticCatalog.E001, RegistryFile, entry.Line, "registry 'defaults.agent' must be a mapping");
                continue;
            }

            ApplyAgentKeys(result, agent, "defaults.agent");
        }

        return result;
    }

    private void ApplyAgentKeys(AgentDef agent, YMapping body, string where)
    {
        foreach (var item in body.Entries)
        {
            var key = item.Name;
            if (key is null || !AgentKeys.Contains(key))
            {
                UnknownKey(RegistryFile, item.Line, key ?? "?", where);
                continue;
            }

            var scalar = item.Value as YScalar;
            switch (key)
            {
                case "sandbox":
                    agent.Sandbox = scalar?.Value is null ? null : PyFormat.Scalar(scalar.Value);
                    agent.SandboxLine = item.Line;
                    break;
                case "model":
                    agent.Model = scalar?.Value is null ? null : PyFormat.Scalar(scalar.Value);
                    agent.ModelLine = item.Line;
                    break;
                case "harness":
                    agent.RetiredHarness = item.Value is YMapping;
                    agent.Harness = scalar?.Value is null ? null : PyFormat.Scalar(scalar.Value);
                    agent.HarnessLine = item.Line;
                    break;
                case "skills":
                    {
                        var list = item.Value is YScalar { IsNull: true } ? [] : item.Value is YSequence ? StringOrList(item.Value) : null;
                        if (list is null)
                        {
                            Report(DiagnosticCatalog.E001, RegistryFile, item.Line, $"{where} skills: must be a list of skill names");
                            list = [];
                        }

                        agent.Skills = list;
                        break;
                    }

                default:
                    agent.HasCommand = item.Value is not YScalar { IsNull: true };
                    agent.CommandLine = item.Line;
                    agent.CommandMalformed = false;
                    agent.Command = null;
                    if (item.Value is YScalar { Value: string s } && s.Trim().Length > 0)
                    {
                        agent.Command = JsonValue.Create(s);
                    }
                    else if (item.Value is YSequence && StringOrList(item.Value) is { Count: > 0 } argv)
                    {
                        agent.Command = new JsonArray(argv.Select(a => (JsonNode?)JsonValue.Create(a.Value)).ToArray());
                    }
                    else if (agent.HasCommand)
                    {
                        agent.CommandMalformed = true;
                    }

                    break;
            }
        }
    }

    private void ParseAgents(YMapping section, AgentDef defaults)
    {
        foreach (var entry in section.Entries)
        {
            if (!CheckEntityName(entry, "agent", out var name))
            {
                continue;
            }

            var agent = new AgentDef(name, entry.Line)
            {
                Sandbox = defaults.Sandbox,
                SandboxLine = entry.Line,
                Model = defaults.Model,
                ModelLine = entry.Line,
                Harness = defaults.Harness,
                HarnessLine = entry.Line,
                RetiredHarness = defaults.RetiredHarness,
                Skills = defaults.Skills,
                Command = defaults.Command?.DeepClone(),
                HasCommand = defaults.HasCommand,
                CommandMalformed = defaults.CommandMalformed,
                CommandLine = entry.Line,
            };
            if (entry.Value is YMapping body)
            {
                ApplyAgentKeys(agent, body, $"agent '{name}'");
            }
            else if (entry.Value is not YScalar { IsNull: true })
            {
                Report(DiagnosticCatalog.E001, RegistryFile, entry.Line, $"agent '{name}' must be a mapping");
                _brokenAgents.Add(name);
            }

            Agents.TryAdd(name, agent);
        }
    }

    private void ParseEvents(YMapping section)
    {
        foreach (var entry in section.Entries)
        {
            if (!CheckEntityName(entry, "event", out var name))
            {
                continue;
            }

            if (BuiltinEvents.ReservedPrefix(name) is { } prefix)
            {
                Report(DiagnosticCatalog.E215, RegistryFile, entry.Line, $"event '{name}' uses the reserved '{prefix}' namespace");
                _reservedDeclared.Add(name);
                continue;
            }

            var ev = new EventDef(name, entry.Line, builtin: false);
            Events.TryAdd(name, ev);
            if (entry.Value is YScalar { IsNull: true })
            {
                continue;
            }

            if (entry.Value is not YMapping fields)
            {
                Report(DiagnosticCatalog.E001, RegistryFile, entry.Line, $"event '{name}' must be a mapping of field: type");
                continue;
            }

            foreach (var field in fields.Entries)
            {
                if (field.Name is null)
                {
                    Report(DiagnosticCatalog.E001, RegistryFile, field.Line, $"event '{name}' field names must be strings");
                    continue;
                }

                var schema = TypeShorthand.Desugar(field.Value, out var display);
                if (schema is null)
                {
                    Report(DiagnosticCatalog.E201, RegistryFile, field.Line, $"unknown type shorthand: '{display}'", TypeHint(display));
                    continue;
                }

                ev.Fields.Add(new(field.Name, schema));
            }
        }
    }

    private static string? TypeHint(string display) =>
        display.StartsWith("enum", StringComparison.Ordinal) ? "write enum[a, b] (block style, or quoted inside { })" :
        display == "id" ? "the retired 'id' type is gone; use str" :
        "use str, int, float, bool, url, enum[a, b] or a JSON Schema mapping";

    private void ParseLimits(YEntry entry)
    {
        HasLimits = true;
        if (entry.Value is not YMapping limits)
        {
            Report(DiagnosticCatalog.E213, RegistryFile, entry.Line, "registry 'limits' must be a mapping");
            return;
        }

        foreach (var item in limits.Entries)
        {
            switch (item.Name)
            {
                case "cascade_spend":
                    if (ReadUsd(item.Value) is { } usd)
                    {
                        CascadeSpend = usd;
                    }
                    else
                    {
                        Report(DiagnosticCatalog.E213, RegistryFile, item.Line, "registry 'limits.cascade_spend' must be a mapping with a numeric 'usd'");
                    }

                    break;
                case "workflows":
                    if (item.Value is not YMapping workflows)
                    {
                        Report(DiagnosticCatalog.E213, RegistryFile, item.Line, "registry 'limits.workflows' must be a mapping");
                        break;
                    }

                    foreach (var wf in workflows.Entries)
                    {
                        var spend = (wf.Value as YMapping)?.Find("spend");
                        if (wf.Name is null || spend is null || ReadUsd(spend.Value) is not { } wfUsd)
                        {
                            Report(DiagnosticCatalog.E213, RegistryFile, wf.Line, $"registry 'limits.workflows.{wf.Name ?? "?"}' must be a mapping with a 'spend' mapping with a numeric 'usd'");
                            continue;
                        }

                        WorkflowLimits.Add((wf.Name, wfUsd, wf.Line));
                    }

                    break;
                default:
                    UnknownKey(RegistryFile, item.Line, item.Name ?? "?", "limits");
                    break;
            }
        }
    }

    private static double? ReadUsd(YNode node)
    {
        var usd = (node as YMapping)?.Find("usd")?.Value as YScalar;
        return usd?.Value switch
        {
            long l => l,
            double d when double.IsFinite(d) => d,
            _ => null,
        };
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNameRegex();

    [GeneratedRegex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
    private static partial Regex RepoSlugRegex();
}
