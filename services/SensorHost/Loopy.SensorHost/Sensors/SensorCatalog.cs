using System.Text.Json;
using Loopy.Contracts.Manifest;
using Loopy.SensorHost.Configuration;
using Loopy.SensorHost.Exec;
using Loopy.SensorHost.Mapping;
using Loopy.SensorHost.Python;
using Loopy.SensorHost.Verification;
using Microsoft.Extensions.Logging;

namespace Loopy.SensorHost.Sensors;

/// <summary>
/// The manifest's sensors as this host serves them: webhook routes (grouped by path, each with its verifier)
/// and poll sensors. Built once at start-up; a webhook path without a configured secret fails the start
/// unless <see cref="SensorHostOptions.AllowUnverifiedOnLoopback"/> is set.
/// </summary>
public sealed class SensorCatalog
{
    private static readonly Dictionary<string, string> BuiltinSecrets = new(StringComparer.Ordinal)
    {
        ["github"] = "GITHUB_WEBHOOK_SECRET",
        ["sentry"] = "SENTRY_WEBHOOK_SECRET",
        ["datadog"] = "DATADOG_WEBHOOK_SECRET",
    };

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private SensorCatalog(IReadOnlyList<WebhookRoute> routes, IReadOnlyList<PollSensor> polls)
    {
        Routes = routes;
        PollSensors = polls;
    }

    public IReadOnlyList<WebhookRoute> Routes { get; }

    public IReadOnlyList<PollSensor> PollSensors { get; }

    /// <exception cref="InvalidOperationException">A sensor cannot be served as configured (the message names the sensors and variables, never a value).</exception>
    public static SensorCatalog Build(LoopyManifest manifest, SensorSecrets secrets, SensorHostOptions options, ExecRunner runner, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = new List<string>();
        var byPath = new SortedDictionary<string, List<(WebhookSensor Sensor, string? Scheme, string? SecretName, JsonElement? Verify)>>(StringComparer.Ordinal);
        var polls = new List<PollSensor>();

        foreach (var sensor in manifest.Sensors)
        {
            try
            {
                switch (sensor.Source)
                {
                    case "builtin":
                        {
                            var provider = sensor.Provider ?? sensor.Emits.Split('.')[0].ToLowerInvariant();
                            IWebhookMapper mapper = provider switch
                            {
                                "github" => new GithubMapper(sensor.Emits),
                                "sentry" => new SentryMapper(sensor.Emits),
                                "datadog" => new DatadogMapper(sensor.Emits),
                                _ => throw new InvalidOperationException($"built-in sensor '{sensor.Name}' has an unknown provider '{provider}'"),
                            };
                            Add(byPath, RequirePath(sensor), (new WebhookSensor(sensor.Name, sensor.Emits, mapper, IsExec: false), provider, BuiltinSecrets[provider], null));
                            break;
                        }

                    case "declared" when sensor.Declared is { } declared:
                        {
                            var exec = declared.Exec is { Count: > 0 } argv
                                ? new ExecSpec(sensor.Name, sensor.Emits, argv, declared.Env, Intervals.Parse(declared.Timeout))
                                : null;
                            if (sensor.Trigger.Kind == "poll")
                            {
                                polls.Add(new PollSensor(
                                    sensor.Name,
                                    sensor.Emits,
                                    Intervals.Parse(sensor.Trigger.Interval ?? throw new InvalidOperationException($"poll sensor '{sensor.Name}' has no interval")),
                                    exec ?? throw new InvalidOperationException($"poll sensor '{sensor.Name}' has no exec")));
                                break;
                            }

                            IWebhookMapper mapper = exec is not null ? new ExecWebhookMapper(exec, runner) : new DeclarativeMapper(sensor.Emits, declared.Map, declared.When);
                            var (scheme, secretName) = ReadVerify(declared.Verify);
                            Add(byPath, RequirePath(sensor), (new WebhookSensor(sensor.Name, sensor.Emits, mapper, exec is not null), scheme, secretName, declared.Verify));
                            break;
                        }

                    case "module" when sensor.Module is { Length: > 0 } module && sensor.Fn is { Length: > 0 } function:
                        {
                            // A Python @sensor runs through the python3 shim as an exec sensor (AUTHORING.md §4.4); it
                            // declares no env or timeout, so it gets the defaults (PATH, HOME, LANG; 60 s).
                            var exec = new ExecSpec(
                                sensor.Name, sensor.Emits, PythonSensorShim.Argv(Path.GetFullPath(options.ProjectRoot), Path.GetFullPath(options.ManifestPath), module, function), [], DefaultTimeout);
                            if (sensor.Trigger.Kind == "poll")
                            {
                                polls.Add(new PollSensor(
                                    sensor.Name,
                                    sensor.Emits,
                                    Intervals.Parse(sensor.Trigger.Interval ?? throw new InvalidOperationException($"poll sensor '{sensor.Name}' has no interval")),
                                    exec));
                                break;
                            }

                            Add(byPath, RequirePath(sensor), (new WebhookSensor(sensor.Name, sensor.Emits, new ExecWebhookMapper(exec, runner), IsExec: true), (string?)null, (string?)null, (JsonElement?)null));
                            break;
                        }

                    default:
                        SensorHostLog.SensorNotServed(logger, sensor.Name, $"source '{sensor.Source}' without the keys it needs");
                        break;
                }
            }
            catch (FormatException ex)
            {
                errors.Add($"sensor '{sensor.Name}': {ex.Message}");
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.Message);
            }
        }

        var routes = new List<WebhookRoute>();
        foreach (var (path, sensors) in byPath)
        {
            var declaring = sensors.FirstOrDefault(s => s.Scheme is not null);
            IWebhookVerifier? verifier = null;
            if (declaring.Scheme is not null && declaring.SecretName is not null && secrets.Get(declaring.SecretName) is { } secret)
            {
                try
                {
                    verifier = VerifierFactory.Create(declaring.Scheme, secret, declaring.Verify);
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException)
                {
                    errors.Add($"webhook path {path}: {ex.Message}");
                    continue;
                }
            }
            else if (options.AllowUnverifiedOnLoopback)
            {
                SensorHostLog.UnverifiedPath(logger, path, declaring.SecretName ?? "(no verify)");
            }
            else
            {
                errors.Add(declaring.SecretName is { } name
                    ? $"webhook path {path}: its secret {name} is not set (environment, sensors/.env or loopy.env)"
                    : $"webhook path {path}: no sensor on it declares verify; set Loopy:SensorHost:AllowUnverifiedOnLoopback to serve it unverified on loopback");
                continue;
            }

            routes.Add(new WebhookRoute(path, sensors.Select(s => s.Sensor).ToList(), verifier));
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("the SensorHost cannot serve the manifest's sensors: " + string.Join("; ", errors));
        }

        return new SensorCatalog(routes, polls);
    }

    private static string RequirePath(ManifestSensor sensor) =>
        sensor.Trigger is { Kind: "webhook", Path: { Length: > 1 } path } && path.StartsWith('/')
            ? path
            : throw new InvalidOperationException($"sensor '{sensor.Name}' is not a webhook sensor with a path");

    private static (string? Scheme, string? SecretName) ReadVerify(JsonElement? verify)
    {
        if (verify is not { ValueKind: JsonValueKind.Object } v)
        {
            return (null, null);
        }

        var scheme = v.TryGetProperty("scheme", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var secret = v.TryGetProperty("secret", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        return (scheme, secret);
    }

    private static void Add<T>(SortedDictionary<string, List<T>> byPath, string path, T item)
    {
        if (!byPath.TryGetValue(path, out var list))
        {
            byPath[path] = list = [];
        }

        list.Add(item);
    }
}
