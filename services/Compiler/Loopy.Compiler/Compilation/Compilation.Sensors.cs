using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Model;
using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Compilation;

/// <summary>Stage 4: declarative (YAML) and Python <c>@sensor</c> declarations, and the E403 rules of §4.1.</summary>
internal sealed partial class Compilation
{
    private static readonly string[] SensorKeys = ["webhook", "poll", "emits", "verify", "when", "map", "exec", "env", "timeout"];
    private static readonly string[] VerifySchemes = ["github", "sentry", "hmac-sha256", "standard-webhooks"];

    private void ParseSensors()
    {
        foreach (var file in _source.Files)
        {
            if (!file.StartsWith("sensors/", StringComparison.Ordinal))
            {
                continue;
            }

            if (file.EndsWith(".py", StringComparison.Ordinal))
            {
                ParsePythonSensors(file);
            }
            else
            {
                ParseYamlSensors(file);
            }
        }

        CheckSensorSet();
    }

    private void ParseYamlSensors(string file)
    {
        if (!TryRead(file, out var text, out var problem))
        {
            Report(DiagnosticCatalog.E402, file, 1, $"{file}: not statically analyzable ({problem})");
            return;
        }

        var parsed = YamlReader.Parse(text);
        if (!parsed.Ok)
        {
            Report(DiagnosticCatalog.E402, file, parsed.ErrorLine, $"{file}: not statically analyzable ({parsed.Error})");
            return;
        }

        if (parsed.Root is null)
        {
            return;
        }

        if (parsed.Root is not YMapping root)
        {
            Report(DiagnosticCatalog.E402, file, parsed.Root.Line, $"{file}: not statically analyzable (a sensor file maps sensor names to definitions)");
            return;
        }

        foreach (var entry in root.Entries)
        {
            if (entry.Name is null || entry.Value is not YMapping body)
            {
                Report(DiagnosticCatalog.E402, file, entry.Line, $"{file}: not statically analyzable (sensor '{entry.Name ?? "?"}' must be a mapping)");
                continue;
            }

            ParseYamlSensor(file, entry.Name, entry.Line, body);
        }
    }

    private void ParseYamlSensor(string file, string name, int line, YMapping body)
    {
        var sensor = new SensorDef(name, file, line, "declared");
        var declared = new JsonObject
        {
            ["env"] = new JsonArray(),
            ["exec"] = null,
            ["file"] = file,
            ["map"] = null,
            ["timeout"] = "60s",
            ["verify"] = null,
            ["when"] = null,
        };
        sensor.Declared = declared;
        var valid = true;
        void Bad(int at, string message)
        {
            valid = false;
            Report(DiagnosticCatalog.E403, file, at, message);
        }

        foreach (var entry in body.Entries)
        {
            var key = entry.Name;
            if (key is null || !SensorKeys.Contains(key))
            {
                UnknownKey(file, entry.Line, key ?? "?", $"sensor '{name}'");
                continue;
            }

            var text = (entry.Value as YScalar)?.AsString;
            switch (key)
            {
                case "emits":
                    sensor.Emits = text;
                    if (text is null)
                    {
                        valid = false;
                        Report(DiagnosticCatalog.E402, file, entry.Line, $"sensor '{name}' must declare emits=\"<Event>\" as a string literal");
                    }

                    break;
                case "webhook":
                    sensor.Webhook = text ?? string.Empty;
                    break;
                case "poll":
                    sensor.Poll = text ?? PyFormat.Scalar((entry.Value as YScalar)?.Value);
                    break;
                case "timeout":
                    if (text is null || !IntervalRegex().IsMatch(text) || IsZeroInterval(text))
                    {
                        Bad(entry.Line, $"sensor '{name}' timeout '{text ?? PyFormat.Scalar((entry.Value as YScalar)?.Value)}' must be an interval such as '30s'");
                    }
                    else
                    {
                        declared["timeout"] = text;
                    }

                    break;
                case "env":
                    {
                        var list = StringOrList(entry.Value);
                        if (list is null)
                        {
                            Bad(entry.Line, $"sensor '{name}' env must be a name or a list of names");
                        }
                        else
                        {
                            declared["env"] = new JsonArray(list.Select(l => (JsonNode?)JsonValue.Create(l.Value)).ToArray());
                        }

                        break;
                    }

                case "exec":
                    {
                        var list = entry.Value is YSequence ? StringOrList(entry.Value) : null;
                        if (list is null || list.Count == 0)
                        {
                            Bad(entry.Line, $"sensor '{name}' exec must be a non-empty argv list");
                        }
                        else
                        {
                            declared["exec"] = new JsonArray(list.Select(l => (JsonNode?)JsonValue.Create(l.Value)).ToArray());
                        }

                        break;
                    }

                case "verify":
                    {
                        var mapping = entry.Value as YMapping;
                        var scheme = (mapping?.Find("scheme")?.Value as YScalar)?.AsString;
                        var secret = (mapping?.Find("secret")?.Value as YScalar)?.AsString;
                        var header = (mapping?.Find("header")?.Value as YScalar)?.AsString;
                        if (mapping is null || scheme is null || !VerifySchemes.Contains(scheme) || string.IsNullOrEmpty(secret) ||
                            (scheme == "hmac-sha256" && string.IsNullOrEmpty(header)) || !YamlJson.TryConvert(mapping, out var json))
                        {
                            Bad(entry.Line, $"sensor '{name}' verify must be {{scheme: github | sentry | hmac-sha256 | standard-webhooks, secret: <VARIABLE>}} (hmac-sha256 also needs header)");
                        }
                        else
                        {
                            declared["verify"] = json;
                            sensor.Verify = json;
                        }

                        break;
                    }

                default:
                    {
                        // map / when: mappings
                        if (entry.Value is not YMapping mapping || !YamlJson.TryConvert(mapping, out var json))
                        {
                            Bad(entry.Line, $"sensor '{name}' {key} must be a mapping");
                        }
                        else
                        {
                            declared[key] = json;
                        }

                        break;
                    }
            }
        }

        if (sensor.Emits is null && body.Find("emits") is null)
        {
            valid = false;
            Report(DiagnosticCatalog.E402, file, line, $"sensor '{name}' must declare emits=\"<Event>\" as a string literal");
        }

        valid &= CheckTriggerShape(sensor, file, line);
        var isWebhook = sensor.Webhook is not null && sensor.Poll is null;
        var hasMap = declared["map"] is not null;
        var hasExec = declared["exec"] is not null;
        if (isWebhook && hasMap == hasExec)
        {
            Bad(line, $"sensor '{name}' webhook needs exactly one of map: and exec:");
        }

        if (sensor.Poll is not null && sensor.Webhook is null && !hasExec)
        {
            Bad(line, $"sensor '{name}' poll needs exec:");
        }

        if (sensor.Poll is not null && sensor.Webhook is null && (hasMap || declared["when"] is not null || declared["verify"] is not null))
        {
            Bad(line, $"sensor '{name}' map:, when: and verify: are for webhook sensors only");
        }

        if (valid)
        {
            Sensors.Add(sensor);
        }
    }

    /// <summary>Exactly one of webhook/poll, a valid interval or path (E403).</summary>
    private bool CheckTriggerShape(SensorDef sensor, string file, int line)
    {
        if (sensor.Webhook is not null && sensor.Poll is not null)
        {
            Report(DiagnosticCatalog.E403, file, line, $"sensor '{sensor.Name}' declares both webhook= and poll=");
            return false;
        }

        if (sensor.Webhook is null && sensor.Poll is null)
        {
            Report(DiagnosticCatalog.E403, file, line, $"sensor '{sensor.Name}' declares neither webhook= nor poll=");
            return false;
        }

        if (sensor.Poll is { } poll && (!IntervalRegex().IsMatch(poll) || IsZeroInterval(poll)))
        {
            Report(DiagnosticCatalog.E403, file, line, $"malformed poll interval '{poll}' (expected e.g. '5m')");
            return false;
        }

        if (sensor.Webhook is { } path)
        {
            if (!path.StartsWith('/'))
            {
                Report(DiagnosticCatalog.E403, file, line, $"sensor '{sensor.Name}' webhook path '{path}' must start with '/'");
                return false;
            }

            var reserved = new[] { "/events", "/health", "/alive", "/healthz" };
            if (reserved.Any(r => path == r || path.StartsWith(r + "/", StringComparison.Ordinal)) || path.StartsWith("/admin", StringComparison.Ordinal))
            {
                Report(DiagnosticCatalog.E403, file, line, $"sensor '{sensor.Name}' webhook path '{path}' is reserved by the engine");
                return false;
            }
        }

        return true;
    }

    private static bool IsZeroInterval(string interval) => interval.TrimEnd('s', 'm', 'h', 'd').All(c => c == '0');

    private void CheckSensorSet()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var webhooks = new HashSet<(string, string)>();
        var verifyByPath = new Dictionary<string, string>(StringComparer.Ordinal);
        var kept = new List<SensorDef>();
        foreach (var sensor in Sensors)
        {
            if (!names.Add(sensor.Name))
            {
                Report(DiagnosticCatalog.E403, sensor.File, sensor.Line, $"duplicate sensor name '{sensor.Name}'");
                continue;
            }

            if (sensor.Webhook is { } path && sensor.Emits is { } emits)
            {
                if (!webhooks.Add((path, emits)))
                {
                    Report(DiagnosticCatalog.E403, sensor.File, sensor.Line, $"duplicate webhook ('{path}', '{emits}')");
                    continue;
                }

                var verify = sensor.Verify?.ToJsonString() ?? "null";
                if (verifyByPath.TryGetValue(path, out var other) && other != verify)
                {
                    Report(DiagnosticCatalog.E403, sensor.File, sensor.Line, $"sensors on webhook path '{path}' declare different verify:");
                    continue;
                }

                verifyByPath[path] = verify;
            }

            kept.Add(sensor);
        }

        Sensors.Clear();
        Sensors.AddRange(kept);
    }

    [GeneratedRegex(@"^\d+[smhd]$")]
    private static partial Regex IntervalRegex();
}
