using System.Globalization;
using System.Text.Json.Nodes;
using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Model;


namespace Loopy.Compiler.Compilation;

/// <summary>Stages 5 to 8: built-ins and reserved names, template references, cross-checks, lineage.</summary>
internal sealed partial class Compilation
{
    private static readonly string[] Harnesses = ["claude-code", "codex", "exec", "opencode"];

    private IEnumerable<StepDef> LiveSteps => Workflows.Values.SelectMany(s => s).Where(s => !s.Broken);

    /// <summary>The single entry step of a workflow, or null when it has zero or several.</summary>
    public static StepDef? EntryOf(List<StepDef> steps)
    {
        var entries = steps.Where(s => !s.Broken && s.HasOn && !s.HasAfter).ToList();
        if (entries.Count == 0)
        {
            entries = steps.Where(s => !s.Broken && s.HasOn).ToList();
        }

        return entries.Count == 1 ? entries[0] : null;
    }

    private void CheckBuiltins()
    {
        foreach (var step in LiveSteps)
        {
            if (step.Trigger is { IsCron: false, Event: { } name } && BuiltinEvents.ReservedPrefix(name) is { } prefix)
            {
                if (!BuiltinEvents.IsKnown(name))
                {
                    if (_reservedDeclared.Contains(name))
                    {
                        continue; // E215 on the registry entry already names the root cause
                    }

                    Report(DiagnosticCatalog.E112, step.File, step.OnLine,
                        $"unknown built-in event '{name}'; known {prefix.TrimEnd('.')} built-ins: {PyFormat.List(BuiltinEvents.NamesWithPrefix(prefix))}");
                    continue;
                }

                if (!Events.ContainsKey(name))
                {
                    var ev = new EventDef(name, 0, builtin: true);
                    ev.Fields.AddRange(BuiltinEvents.Fields(name));
                    Events[name] = ev;
                    Sensors.Add(new SensorDef("builtin:" + name, "<built-in>", 0, "builtin")
                    {
                        Emits = name,
                        Webhook = BuiltinEvents.WebhookPath(name),
                        Provider = BuiltinEvents.Provider(name),
                    });
                }
            }

            foreach (var emit in step.Emits)
            {
                if (BuiltinEvents.ReservedPrefix(emit.Name) is { } emitPrefix)
                {
                    Report(DiagnosticCatalog.E215, step.File, emit.Line, $"event '{emit.Name}' uses the reserved '{emitPrefix}' namespace");
                }
            }
        }

        foreach (var sensor in Sensors)
        {
            if (sensor.Source != "builtin" && sensor.Emits is { } emits)
            {
                if (BuiltinEvents.ReservedPrefix(emits) is { } sensorPrefix)
                {
                    Report(DiagnosticCatalog.E215, sensor.File, sensor.Line, $"event '{emits}' uses the reserved '{sensorPrefix}' namespace");
                }
                else if (RegistryUsable && !Events.ContainsKey(emits))
                {
                    Report(DiagnosticCatalog.E401, sensor.File, sensor.Line, $"sensor '{sensor.Name}' emits unregistered event '{emits}'");
                }
            }
        }
    }

    private void CheckTemplateReferences()
    {
        foreach (var (_, steps) in Workflows)
        {
            var entry = EntryOf(steps);
            var byName = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
            foreach (var step in steps.Where(s => !s.Broken))
            {
                foreach (var reference in step.Refs)
                {
                    if (reference.Producer == "event")
                    {
                        if (entry?.Trigger is { IsCron: true })
                        {
                            if (reference.Field is not ("scheduled_at" or "last_run"))
                            {
                                Report(DiagnosticCatalog.E303, step.File, reference.Line,
                                    $"cron trigger exposes only ['last_run', 'scheduled_at'], not 'event.{reference.Field}'");
                            }
                        }
                        else if (RegistryUsable && entry?.Trigger is { Event: { } name } && Events.TryGetValue(name, out var ev) && !ev.HasField(reference.Field))
                        {
                            Report(DiagnosticCatalog.E302, step.File, reference.Line, $"'{reference.Field}' is not a field of event '{name}'");
                        }

                        continue;
                    }

                    if (!step.After.Contains(reference.Producer))
                    {
                        Report(DiagnosticCatalog.E304, step.File, reference.Line,
                            $"'{reference.Producer}' is not a direct after: predecessor of step '{step.Id}'");
                        continue;
                    }

                    if (byName.TryGetValue(reference.Producer, out var producer) && !producer.Broken &&
                        !producer.OutputBroken && !producer.HasOutputKey(reference.Field))
                    {
                        Report(DiagnosticCatalog.E305, step.File, reference.Line,
                            $"'{reference.Field}' is not a top-level key of step '{producer.Id}' output:");
                    }
                }
            }
        }
    }

    private void CrossCheck()
    {
        if (!RegistryUsable)
        {
            CrossCheckStepsWithoutRegistry();
            return;
        }

        foreach (var step in LiveSteps)
        {
            if (step.Agent is null)
            {
                if (step.AgentLine == 0)
                {
                    Report(DiagnosticCatalog.W902, step.File, 1, $"step '{step.Id}' has no agent: and will fail when run");
                }
            }
            else if (!Agents.ContainsKey(step.Agent))
            {
                Report(DiagnosticCatalog.E501, step.File, step.AgentLine, $"step '{step.Id}' uses agent '{step.Agent}', which is not registered");
            }

            if (step.Trigger is { IsCron: false, Event: { } name } && BuiltinEvents.ReservedPrefix(name) is null)
            {
                if (!Events.ContainsKey(name))
                {
                    Report(DiagnosticCatalog.E504, step.File, step.OnLine, $"step '{step.Id}' triggers on unregistered event '{name}'");
                }
            }

            if (step.Trigger is { IsCron: false, Event: { } filtered } && Events.TryGetValue(filtered, out var contract))
            {
                foreach (var (field, _) in step.Trigger.Filters)
                {
                    var schema = contract.Field(field);
                    if (schema is null || (schema as JsonObject)?["type"]?.GetValueKind() != System.Text.Json.JsonValueKind.String ||
                        schema["type"]!.GetValue<string>() != "string")
                    {
                        Report(DiagnosticCatalog.E114, step.File, step.OnLine,
                            $"step '{step.Id}' filters on '{field}', which is not {(schema is null ? "a" : "a string")} field of '{filtered}' (fields: {PyFormat.SortedList(contract.Fields.Select(f => f.Key))})");
                    }
                }
            }

            foreach (var emit in step.Emits)
            {
                if (BuiltinEvents.ReservedPrefix(emit.Name) is null && !Events.ContainsKey(emit.Name))
                {
                    Report(DiagnosticCatalog.E504, step.File, emit.Line, $"step '{step.Id}' emits unregistered event '{emit.Name}'");
                }

                foreach (var (key, value, line) in emit.When ?? [])
                {
                    var index = step.Output?.FindIndex(o => o.Key == key) ?? -1;
                    if (index >= 0 && step.Output![index].Schema is null)
                    {
                        continue; // the output type is already E201
                    }

                    if (index < 0 || !SchemaAccepts(step.Output![index].Schema!, value.Value))
                    {
                        Report(DiagnosticCatalog.E903, step.File, line,
                            $"step '{step.Id}' emits '{emit.Name}' when '{key}' = '{PyFormat.Scalar(value.Value)}', which its output: cannot produce");
                    }
                }
            }
        }

        foreach (var agent in Agents.Values)
        {
            if (!_brokenAgents.Contains(agent.Name))
            {
                CheckAgent(agent);
            }
        }

        foreach (var (workflow, _, line) in WorkflowLimits)
        {
            if (!Workflows.ContainsKey(workflow))
            {
                Report(DiagnosticCatalog.E505, RegistryFile, line, $"registry limits.workflows names '{workflow}', which is not a workflow");
            }
        }
    }

    /// <summary>With no usable registry only the checks that do not consult it run.</summary>
    private void CrossCheckStepsWithoutRegistry()
    {
        foreach (var step in LiveSteps.Where(s => s.Agent is null && s.AgentLine == 0))
        {
            Report(DiagnosticCatalog.W902, step.File, 1, $"step '{step.Id}' has no agent: and will fail when run");
        }
    }

    private void CheckAgent(AgentDef agent)
    {
        var name = agent.Name;
        var model = string.IsNullOrWhiteSpace(agent.Model) ? null : agent.Model;
        var harness = agent.RetiredHarness ? null : agent.Harness;
        if (model is null)
        {
            Report(DiagnosticCatalog.E507, RegistryFile, agent.Line,
                $"agent '{name}' declares no model; set model: on the agent or in defaults.agent");
        }

        if (harness is null)
        {
            Report(DiagnosticCatalog.E507, RegistryFile, agent.Line,
                $"agent '{name}' declares no harness; set harness: (claude-code | codex | opencode | exec) on the agent or in defaults.agent",
                agent.RetiredHarness ? "the nested form harness: { runtime, model } is retired; write harness: and model: as two keys" : null);
        }
        else if (!Harnesses.Contains(harness))
        {
            Report(DiagnosticCatalog.E508, RegistryFile, agent.HarnessLine,
                $"agent '{name}': unknown harness '{harness}' (expected one of {PyFormat.List(Harnesses)})");
        }
        else if (model is not null && EligiblePrefixes(harness) is { } prefixes && !prefixes.Any(p => model.StartsWith(p, StringComparison.Ordinal)))
        {
            Report(DiagnosticCatalog.E508, RegistryFile, agent.ModelLine,
                $"agent '{name}': model '{model}' is not eligible for the '{harness}' harness (expected a model with prefix {PyFormat.List(prefixes)})");
        }

        if (agent.Sandbox is null)
        {
            Report(DiagnosticCatalog.E506, RegistryFile, agent.Line,
                $"agent '{name}' declares no sandbox; every agent must name one (set sandbox: on the agent or defaults.agent.sandbox)");
        }
        else if (!Sandboxes.ContainsKey(agent.Sandbox))
        {
            Report(DiagnosticCatalog.E502, RegistryFile, agent.SandboxLine,
                $"agent '{name}' references sandbox '{agent.Sandbox}', which is not registered");
        }

        foreach (var (skill, line) in agent.Skills)
        {
            var valid = skill.Length > 0 && !skill.StartsWith('/') && skill.Split('/').All(p => p.Length > 0 && p != "." && p != ".." && p[0] != '.');
            if (!valid || !_source.DirectoryExists("skills/" + skill))
            {
                Report(DiagnosticCatalog.E503, RegistryFile, line, $"agent '{name}' references skill '{skill}', which is not in skills/");
            }
        }

        if (harness == "exec")
        {
            if (!agent.HasCommand)
            {
                Report(DiagnosticCatalog.E902, RegistryFile, agent.Line, $"agent '{name}' uses the exec harness but declares no command:");
            }
            else if (agent.CommandMalformed)
            {
                Report(DiagnosticCatalog.E902, RegistryFile, agent.CommandLine, $"agent '{name}' command: must be a non-empty argv list or one string run as sh -c");
            }
        }
        else if (harness is not null && agent.HasCommand)
        {
            Report(DiagnosticCatalog.E902, RegistryFile, agent.CommandLine,
                $"agent '{name}' declares command: but uses the '{harness}' harness; command: is for the exec harness only");
        }
    }

    private static string[]? EligiblePrefixes(string harness) => harness switch
    {
        "claude-code" => ["claude-"],
        "codex" => ["gpt-", "codex"],
        "opencode" => ["anthropic/", "openai/", "claude-", "gpt-", "codex"],
        _ => null,
    };

    /// <summary>Whether an output of this schema can equal <paramref name="value"/> (for <c>when:</c> rules).</summary>
    private static bool SchemaAccepts(JsonNode schema, object? value)
    {
        if (schema is not JsonObject obj)
        {
            return true;
        }

        if (obj["enum"] is JsonArray options)
        {
            return options.Any(o => o is JsonValue v && ScalarEquals(v, value));
        }

        if (obj["const"] is JsonValue constant)
        {
            return ScalarEquals(constant, value);
        }

        var type = obj["type"] is JsonValue t && t.GetValueKind() == System.Text.Json.JsonValueKind.String ? t.GetValue<string>() : null;
        return type switch
        {
            null => true,
            "string" => value is string,
            "integer" => value is long || (value is double d && Math.Floor(d) == d),
            "number" => value is long or double,
            "boolean" => value is bool,
            "null" => value is null,
            _ => false,
        };
    }

    private static bool ScalarEquals(JsonValue json, object? value) => json.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => value is string s && s == json.GetValue<string>(),
        System.Text.Json.JsonValueKind.True => value is true,
        System.Text.Json.JsonValueKind.False => value is false,
        System.Text.Json.JsonValueKind.Number => value is long or double && Convert.ToDouble(value, CultureInfo.InvariantCulture) == json.GetValue<double>(),
        _ => value is null,
    };

    private void CheckLineage()
    {
        if (!RegistryUsable)
        {
            return;
        }

        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sensor in Sensors)
        {
            if (sensor.Emits is not null)
            {
                produced.Add(sensor.Emits);
            }
        }

        foreach (var step in LiveSteps)
        {
            foreach (var emit in step.Emits)
            {
                produced.Add(emit.Name);
            }
        }

        var consumed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, steps) in Workflows)
        {
            if (EntryOf(steps)?.Trigger is { IsCron: false, Event: { } name })
            {
                consumed.Add(name);
            }
        }

        foreach (var ev in Events.Values)
        {
            if (!ev.Builtin && consumed.Contains(ev.Name) && !produced.Contains(ev.Name))
            {
                Report(DiagnosticCatalog.W501, RegistryFile, ev.Line, $"dead trigger: event '{ev.Name}' is consumed by an on: step but has no producer");
            }
        }
    }

}
