using Microsoft.Extensions.Configuration;

namespace Loopy.SensorHost.Configuration;

/// <summary>
/// Engine variables for sensors (webhook secrets, exec <c>env</c>): the real environment and configuration
/// win, then <c>sensors/.env</c>, then <c>loopy.env</c> in the project root. Values never leave this class
/// except to a verifier or an exec sensor's environment; they are never logged.
/// </summary>
public sealed class SensorSecrets
{
    private readonly IConfiguration _configuration;
    private readonly IReadOnlyDictionary<string, string> _sensorsEnv;
    private readonly IReadOnlyDictionary<string, string> _loopyEnv;

    public SensorSecrets(IConfiguration configuration, string projectRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(projectRoot);
        _configuration = configuration;
        _sensorsEnv = EnvFile.ReadIfExists(Path.Combine(projectRoot, "sensors", ".env"));
        _loopyEnv = EnvFile.ReadIfExists(Path.Combine(projectRoot, "loopy.env"));
    }

    /// <summary>The value of <paramref name="name"/>, or null when it is unset or empty.</summary>
    public string? Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_configuration[name] is { Length: > 0 } configured)
        {
            return configured;
        }

        if (_sensorsEnv.TryGetValue(name, out var fromSensors) && fromSensors.Length > 0)
        {
            return fromSensors;
        }

        return _loopyEnv.TryGetValue(name, out var fromLoopy) && fromLoopy.Length > 0 ? fromLoopy : null;
    }
}
