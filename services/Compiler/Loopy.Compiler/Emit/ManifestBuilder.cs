using System.Text.Json.Nodes;
using Loopy.Compiler.Model;
using Loopy.Contracts.Manifest;

namespace Loopy.Compiler.Emit;

/// <summary>Builds the manifest tree (AUTHORING.md §7) from a compilation without errors.</summary>
internal static class ManifestBuilder
{
    public static JsonObject Build(Compilation.Compilation c)
    {
        var registry = new JsonObject
        {
            ["sandboxes"] = Sorted(c.Sandboxes.Values.Select(s => (s.Name, (JsonNode)Sandbox(s)))),
            ["agents"] = Sorted(c.Agents.Values.Select(a => (a.Name, (JsonNode)Agent(a)))),
            ["events"] = Sorted(c.Events.Values.Select(e => (e.Name, (JsonNode)Event(e)))),
        };
        if (c.HasLimits)
        {
            var limits = new JsonObject();
            if (c.CascadeSpend is { } cascade)
            {
                limits["cascade_spend"] = new JsonObject { ["usd"] = cascade };
            }

            if (c.WorkflowLimits.Count > 0)
            {
                limits["workflows"] = Sorted(c.WorkflowLimits.Select(w =>
                    (w.Workflow, (JsonNode)new JsonObject { ["spend"] = new JsonObject { ["usd"] = w.Usd } })));
            }

            registry["limits"] = limits;
        }

        var workflows = new JsonObject();
        foreach (var (name, steps) in c.Workflows)
        {
            var entry = Compilation.Compilation.EntryOf(steps);
            var stepObjects = new JsonObject();
            foreach (var step in steps)
            {
                stepObjects[step.Name] = Step(step);
            }

            workflows[name] = new JsonObject { ["entry"] = entry?.Name, ["steps"] = stepObjects };
        }

        var sensors = new JsonArray();
        foreach (var sensor in c.Sensors.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            sensors.Add(Sensor(sensor));
        }

        return new JsonObject
        {
            ["schema_version"] = CompilerInfo.SchemaVersion,
            ["registry"] = registry,
            ["workflows"] = workflows,
            ["sensors"] = sensors,
            ["lineage"] = Lineage(c),
        };
    }

    private static JsonObject Sorted(IEnumerable<(string Key, JsonNode Value)> items)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in items.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            obj[key] = value;
        }

        return obj;
    }

    private static JsonArray Strings(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    private static JsonObject Sandbox(SandboxDef s) => new()
    {
        ["env"] = Strings(s.Env.Select(e => e.Key)),
        ["env_file"] = Strings(s.EnvFile),
        ["image"] = s.Image.DeepClone(),
        ["network"] = Strings(s.Network),
        ["provider"] = s.Provider,
        ["repos"] = new JsonArray(s.Repos.Select(r => (JsonNode?)r.DeepClone()).ToArray()),
    };

    private static JsonObject Agent(AgentDef a) => new()
    {
        ["command"] = a.Command?.DeepClone(),
        ["harness"] = a.Harness,
        ["model"] = a.Model,
        ["sandbox"] = a.Sandbox,
        ["skills"] = Strings(a.Skills.Select(s => s.Skill)),
    };

    private static JsonObject Event(EventDef e)
    {
        var fields = new JsonObject();
        foreach (var (name, schema) in e.Fields)
        {
            fields[name] = schema?.DeepClone();
        }

        return new JsonObject { ["builtin"] = e.Builtin, ["fields"] = fields };
    }

    private static JsonObject Step(StepDef s)
    {
        var output = new JsonObject();
        foreach (var (key, schema, _) in s.Output ?? [])
        {
            output[key] = schema?.DeepClone();
        }

        var emitWhen = new JsonObject();
        foreach (var emit in s.Emits)
        {
            JsonNode? rule = null;
            if (emit.Always)
            {
                rule = "always";
            }
            else if (emit.When is { } when)
            {
                var conditions = new JsonObject();
                foreach (var (key, value, _) in when)
                {
                    conditions[key] = Compilation.YamlJson.ScalarToJson(value.Value);
                }

                rule = conditions;
            }

            emitWhen[emit.Name] = rule;
        }

        var refs = new JsonArray();
        foreach (var r in s.Refs)
        {
            refs.Add(new JsonObject { ["field"] = r.Field, ["producer"] = r.Producer, ["raw"] = r.Raw });
        }

        return new JsonObject
        {
            ["after"] = Strings(s.After),
            ["agent"] = s.Agent,
            ["body"] = s.Body,
            ["budget"] = s.Budget?.DeepClone(),
            ["emit_when"] = emitWhen,
            ["emits"] = Strings(s.Emits.Select(e => e.Name)),
            ["id"] = s.Id,
            ["output"] = output,
            ["refs"] = refs,
            ["trigger"] = Trigger(s.Trigger),
        };
    }

    private static JsonObject? Trigger(TriggerDef? t)
    {
        if (t is null)
        {
            return null;
        }

        if (t.IsCron)
        {
            return new JsonObject { ["expr"] = t.Expr, ["kind"] = ManifestTrigger.CronKind, ["tz"] = t.Tz };
        }

        var filters = new JsonObject();
        foreach (var (field, value) in t.Filters)
        {
            filters[field] = value;
        }

        return new JsonObject { ["event"] = t.Event, ["filters"] = filters, ["kind"] = ManifestTrigger.EventKind };
    }

    private static JsonObject Sensor(SensorDef s) => new()
    {
        ["declared"] = s.Declared?.DeepClone(),
        ["emits"] = s.Emits,
        ["fn"] = s.Fn,
        ["module"] = s.Module,
        ["name"] = s.Name,
        ["provider"] = s.Provider,
        ["source"] = s.Source,
        ["trigger"] = s.Webhook is not null
            ? new JsonObject { ["kind"] = "webhook", ["path"] = s.Webhook }
            : new JsonObject { ["interval"] = s.Poll, ["kind"] = "poll" },
    };

    private static JsonObject Lineage(Compilation.Compilation c)
    {
        var events = new JsonObject();
        foreach (var ev in c.Events.Values.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var producers = c.Sensors.Where(s => s.Emits == ev.Name).Select(s => s.Name)
                .Concat(c.Workflows.Values.SelectMany(w => w).Where(s => s.Emits.Any(e => e.Name == ev.Name)).Select(s => s.Id))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var consumers = c.Workflows.Values.Select(Compilation.Compilation.EntryOf)
                .Where(s => s?.Trigger is { IsCron: false } t && t.Event == ev.Name).Select(s => s!.Id)
                .Order(StringComparer.Ordinal);
            events[ev.Name] = new JsonObject { ["consumers"] = Strings(consumers), ["producers"] = Strings(producers) };
        }

        return new JsonObject { ["events"] = events };
    }
}
