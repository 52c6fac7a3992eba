using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Model;
using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Compilation;

/// <summary>Stage 3: step files, triggers, outputs, emit rules, budgets and template tags.</summary>
internal sealed partial class Compilation
{
    private static readonly string[] StepKeys = ["on", "after", "agent", "output", "emits", "budget"];

    private void ParseWorkflows()
    {
        var ids = new Dictionary<string, StepDef>(StringComparer.Ordinal);
        foreach (var file in _source.Files)
        {
            if (!file.StartsWith("workflows/", StringComparison.Ordinal))
            {
                continue;
            }

            var parts = file.Split('/');
            var step = new StepDef(parts[1], parts[2][..^3], file);
            if (ids.ContainsKey(step.Id))
            {
                Report(DiagnosticCatalog.E107, file, 1, $"duplicate step id '{step.Id}'");
                continue;
            }

            ids[step.Id] = step;
            if (!Workflows.TryGetValue(step.Workflow, out var steps))
            {
                Workflows[step.Workflow] = steps = [];
            }

            steps.Add(step);
            ParseStep(step);
        }

        foreach (var (name, steps) in Workflows)
        {
            CheckGraph(name, steps);
        }
    }

    private void ParseStep(StepDef step)
    {
        const string Invalid = "invalid frontmatter or empty body";
        if (!TryRead(step.File, out var text, out var problem))
        {
            step.Broken = true;
            Report(DiagnosticCatalog.E101, step.File, 1, $"{step.File}: {Invalid}", $"the file is {problem}");
            return;
        }

        // Lines as splitlines() sees them: a final newline does not start another line.
        var lines = (text.EndsWith('\n') ? text[..^1] : text).Split('\n');
        var close = -1;
        if (lines[0].Trim() == "---")
        {
            for (var i = 1; i < lines.Length; i++)
            {
                if (lines[i].Trim() == "---")
                {
                    close = i;
                    break;
                }
            }
        }

        if (close < 0)
        {
            step.Broken = true;
            Report(DiagnosticCatalog.E101, step.File, 1, $"{step.File}: {Invalid}",
                lines[0].Trim() == "---" ? "the frontmatter has no closing '---' line" : "a step file starts with a '---' line");
            return;
        }

        var yaml = string.Join('\n', lines, 1, close - 1);
        var parsed = YamlReader.Parse(yaml);
        if (!parsed.Ok)
        {
            step.Broken = true;
            Report(DiagnosticCatalog.E101, step.File, 1, $"{step.File}: {Invalid}",
                $"line {parsed.ErrorLine + 1}: {parsed.Error!.TrimEnd('.')}" +
                (FlowEnumMistake(parsed.Error, yaml) ? "; inside { } write enums quoted, e.g. { x: \"enum[a, b]\" }, or use block style" : string.Empty));
            return;
        }

        step.Body = string.Join('\n', lines, close + 1, lines.Length - close - 1);
        if (parsed.Root is not YMapping frontmatter || string.IsNullOrWhiteSpace(step.Body))
        {
            step.Broken = true;
            Report(DiagnosticCatalog.E101, step.File, 1, $"{step.File}: {Invalid}",
                parsed.Root is YMapping ? "the prompt body is empty" : "the frontmatter must be a YAML mapping");
            return;
        }

        foreach (var entry in frontmatter.Entries)
        {
            var line = entry.Line + 1;
            var key = entry.Name;
            if (key is null || !StepKeys.Contains(key))
            {
                UnknownKey(step.File, line, key ?? (entry.Key as YScalar)?.Text ?? "?", $"step '{step.Id}'");
                continue;
            }

            switch (key)
            {
                case "on":
                    step.HasOn = true;
                    step.OnLine = line;
                    ParseOn(step, entry.Value, line);
                    break;
                case "after":
                    step.HasAfter = true;
                    step.AfterLine = line;
                    var after = StringOrList(entry.Value);
                    if (after is null)
                    {
                        Report(DiagnosticCatalog.E901, step.File, line, $"step '{step.Id}': after must be a step name or a list of step names");
                    }
                    else
                    {
                        step.After.AddRange(after.Select(a => a.Value));
                    }

                    break;
                case "agent":
                    // A malformed agent: is E901's; it does not also raise W902.
                    step.AgentLine = line;
                    if (entry.Value is YScalar { Value: string agent })
                    {
                        step.Agent = agent;
                    }
                    else
                    {
                        Report(DiagnosticCatalog.E901, step.File, line, $"step '{step.Id}': agent must be a string");
                    }

                    break;
                case "output":
                    ParseOutput(step, entry.Value, line);
                    break;
                case "emits":
                    ParseEmits(step, entry.Value, line);
                    break;
                default:
                    ParseBudget(step, entry.Value, line);
                    break;
            }
        }

        ScanTemplates(step, close + 2);
    }

    private void ParseOn(StepDef step, YNode value, int line)
    {
        if (value is not YScalar { Value: string raw })
        {
            Report(DiagnosticCatalog.E111, step.File, line, "on: must name exactly one event or a cron(...) trigger, not a list");
            return;
        }

        var text = raw.Trim();
        if (CronStartRegex().IsMatch(text))
        {
            var match = CronRegex().Match(text);
            if (!match.Success)
            {
                Report(DiagnosticCatalog.E110, step.File, line, $"malformed cron trigger: {text}", "write on: cron(\"0 3 * * *\") or cron(\"0 3 * * *\", tz=Europe/Paris)");
                return;
            }

            var expr = match.Groups["expr"].Value;
            var fields = expr.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 5 || !CronCheck.IsValid(expr))
            {
                Report(DiagnosticCatalog.E110, step.File, line, $"invalid cron expression: '{expr}' (expects 5 fields)");
                return;
            }

            string? tz = null;
            if (match.Groups["tz"].Success)
            {
                tz = match.Groups["tz"].Value.Trim();
                if (tz.Length >= 2 && tz[0] == '"' && tz[^1] == '"')
                {
                    tz = tz[1..^1];
                }

                if (!CronCheck.IsKnownZone(tz))
                {
                    Report(DiagnosticCatalog.E110, step.File, line, $"unknown timezone: {tz}");
                    return;
                }
            }

            step.Trigger = new TriggerDef { IsCron = true, Expr = expr, Tz = tz };
            return;
        }

        if (text.Contains('(', StringComparison.Ordinal) || text.Contains(')', StringComparison.Ordinal))
        {
            ParseFilteredTrigger(step, text, line);
            return;
        }

        step.Trigger = new TriggerDef { Event = text };
    }

    private void ParseFilteredTrigger(StepDef step, string text, int line)
    {
        var match = FilteredRegex().Match(text);
        string? reason = null;
        var filters = new List<KeyValuePair<string, string>>();
        if (!match.Success)
        {
            reason = "expected Event(field=\"value\", ...)";
        }
        else if (string.IsNullOrWhiteSpace(match.Groups["args"].Value))
        {
            reason = "empty filter list";
        }
        else
        {
            var args = SplitOutsideQuotes(match.Groups["args"].Value);
            if (args is null)
            {
                reason = "unclosed double quote";
            }
            else
            {
                foreach (var arg in args)
                {
                    var filter = FilterRegex().Match(arg);
                    if (!filter.Success)
                    {
                        reason = $"filter '{arg.Trim()}' must be field=\"value\" with a double-quoted value";
                        break;
                    }

                    var field = filter.Groups["field"].Value;
                    if (filters.Any(f => f.Key == field))
                    {
                        reason = $"repeated filter field '{field}'";
                        break;
                    }

                    filters.Add(new(field, filter.Groups["value"].Value));
                }
            }
        }

        if (reason is not null)
        {
            Report(DiagnosticCatalog.E113, step.File, line, $"malformed event trigger: '{text}' — {reason}");
            return;
        }

        step.Trigger = new TriggerDef { Event = match.Groups["name"].Value, Filters = filters };
    }

    private static List<string>? SplitOutsideQuotes(string args)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in args)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ',' && !quoted)
            {
                result.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        if (quoted)
        {
            return null;
        }

        result.Add(current.ToString());
        return result;
    }

    private void ParseOutput(StepDef step, YNode value, int line)
    {
        if (value is not YMapping mapping)
        {
            step.OutputBroken = true;
            Report(DiagnosticCatalog.E901, step.File, line, $"step '{step.Id}': output must be a mapping of key: type");
            return;
        }

        step.Output = [];
        foreach (var entry in mapping.Entries)
        {
            var keyLine = entry.Line + 1;
            if (entry.Name is null)
            {
                step.OutputBroken = true;
                Report(DiagnosticCatalog.E901, step.File, keyLine, $"step '{step.Id}': output keys must be strings");
                continue;
            }

            var schema = TypeShorthand.Desugar(entry.Value, out var display);
            if (schema is null)
            {
                step.OutputBroken = true;
                Report(DiagnosticCatalog.E201, step.File, keyLine, $"unknown type shorthand: '{display}'", TypeHint(display));
            }

            step.Output.Add((entry.Name, schema, keyLine));
        }
    }

    private void ParseEmits(StepDef step, YNode value, int line)
    {
        switch (value)
        {
            case YScalar or YSequence:
                {
                    var list = StringOrList(value);
                    if (list is null)
                    {
                        Report(DiagnosticCatalog.E901, step.File, line, $"step '{step.Id}': emits must be an event, a list of events or a mapping event → rule");
                        return;
                    }

                    foreach (var (name, itemLine) in list)
                    {
                        step.Emits.Add(new EmitDef(name, itemLine + 1));
                    }

                    return;
                }

            case YMapping mapping:
                foreach (var entry in mapping.Entries)
                {
                    var emitLine = entry.Line + 1;
                    if (entry.Name is null)
                    {
                        Report(DiagnosticCatalog.E901, step.File, emitLine, $"step '{step.Id}': emits names must be strings");
                        continue;
                    }

                    var emit = new EmitDef(entry.Name, emitLine);
                    if (ParseEmitRule(step, emit, entry.Value))
                    {
                        step.Emits.Add(emit);
                    }
                }

                return;
        }
    }

    private bool ParseEmitRule(StepDef step, EmitDef emit, YNode rule)
    {
        var malformed = $"step '{step.Id}': emits rule for '{emit.Name}' must be {{}}, null, {{when: always}} or {{when: {{key: value}}}}";
        switch (rule)
        {
            case YScalar { IsNull: true }:
                return true;
            case YMapping { Entries.Count: 0 }:
                return true;
            case YMapping mapping when mapping.Entries.Count == 1 && mapping.Entries[0].Name == "when":
                {
                    var when = mapping.Entries[0].Value;
                    if (when is YScalar { Value: "always" })
                    {
                        emit.Always = true;
                        return true;
                    }

                    if (when is YMapping { Entries.Count: > 0 } conditions &&
                        conditions.Entries.All(c => c.Name is not null && c.Value is YScalar scalar && (scalar.Value is not double dv || double.IsFinite(dv))))
                    {
                        emit.When = conditions.Entries.Select(c => (c.Name!, (YScalar)c.Value, c.Line + 1)).ToList();
                        return true;
                    }

                    Report(DiagnosticCatalog.E901, step.File, emit.Line, malformed);
                    return false;
                }

            default:
                Report(DiagnosticCatalog.E901, step.File, emit.Line, malformed);
                return false;
        }
    }

    private void ParseBudget(StepDef step, YNode value, int line)
    {
        if (value is not YMapping mapping)
        {
            Report(DiagnosticCatalog.E901, step.File, line, $"step '{step.Id}': budget must be a mapping");
            return;
        }

        var budget = new JsonObject();
        var ok = true;
        foreach (var entry in mapping.Entries)
        {
            var keyLine = entry.Line + 1;
            switch (entry.Name)
            {
                case "wall_clock" or "window" or "latency":
                    if (entry.Value is YScalar { Value: long n and > 0 })
                    {
                        budget[entry.Name] = n;
                    }
                    else
                    {
                        ok = false;
                        var unit = entry.Name == "wall_clock" ? "minutes" : "days";
                        Report(DiagnosticCatalog.E901, step.File, keyLine, $"step '{step.Id}': budget.{entry.Name} must be a positive integer ({unit})");
                    }

                    break;
                case "spend":
                    {
                        var usd = (entry.Value as YMapping)?.Find("usd")?.Value as YScalar;
                        JsonNode? amount = usd?.Value switch
                        {
                            long l when l > 0 => JsonValue.Create(l),
                            double d when double.IsFinite(d) && d > 0 => JsonValue.Create(d),
                            _ => null,
                        };
                        if (amount is null || ((YMapping)entry.Value).Entries.Count != 1)
                        {
                            ok = false;
                            Report(DiagnosticCatalog.E901, step.File, keyLine, $"step '{step.Id}': budget.spend must be {{usd: N}} with a positive number");
                        }
                        else
                        {
                            budget["spend"] = new JsonObject { ["usd"] = amount };
                        }

                        break;
                    }

                default:
                    UnknownKey(step.File, keyLine, entry.Name ?? "?", $"step '{step.Id}' budget");
                    break;
            }
        }

        if (ok)
        {
            step.Budget = budget;
        }
    }

    private void ScanTemplates(StepDef step, int bodyStartLine)
    {
        var body = step.Body;
        var lineStart = 0;
        var line = bodyStartLine;
        foreach (Match match in TagRegex().Matches(body))
        {
            for (var i = lineStart; i < match.Index; i++)
            {
                if (body[i] == '\n')
                {
                    line++;
                }
            }

            lineStart = match.Index;
            if (match.Groups["ctrl"].Success)
            {
                Report(DiagnosticCatalog.E301, step.File, line, "control-flow tags are not allowed in step bodies", "the only template form is {{ producer.field }}");
                continue;
            }

            var inner = match.Groups["sub"].Value.Trim();
            var reference = RefRegex().Match(inner);
            if (!reference.Success)
            {
                Report(DiagnosticCatalog.E301, step.File, line, $"illegal template reference '{match.Value}'", "the only template form is {{ producer.field }}");
                continue;
            }

            var dot = inner.IndexOf('.', StringComparison.Ordinal);
            step.Refs.Add(new RefDef(inner[..dot], inner[(dot + 1)..], match.Value, line));
        }
    }

    [GeneratedRegex(@"^cron\s*\(")]
    private static partial Regex CronStartRegex();

    [GeneratedRegex(@"^cron\(\s*""(?<expr>[^""]*)""\s*(?:,\s*tz\s*=\s*(?<tz>[^)]+?)\s*)?\)$")]
    private static partial Regex CronRegex();

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_.]*)\((?<args>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex FilteredRegex();

    [GeneratedRegex(@"^\s*(?<field>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*""(?<value>[^""]*)""\s*$")]
    private static partial Regex FilterRegex();

    [GeneratedRegex(@"\{\{(?<sub>.*?)\}\}|\{%(?<ctrl>.*?)%\}", RegexOptions.Singleline)]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex RefRegex();
}
