using System.Collections.Frozen;
using Loopy.Runtime.Manifests;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Preflight of a whole manifest version when this replica starts serving it (AUTHORING.md §8.7 "before a runtime
/// serves a manifest"): every workflow is checked with <see cref="RunPreflight"/>, each one that could not run here is
/// logged with all its problems, and readiness reports <c>Degraded</c> naming them. The workflows that pass keep
/// running; a run of a failing one still fails at its start with the same problems.
/// </summary>
public sealed class ManifestPreflight(RunPreflight preflight, ILogger<ManifestPreflight> logger)
{
    private volatile Result _result = new(string.Empty, FrozenDictionary<string, IReadOnlyList<string>>.Empty);

    /// <summary>The workflows of the version checked last that cannot run on this replica, with their problems.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Problems => _result.Problems;

    /// <summary>Checks every workflow of <paramref name="active"/> and logs the ones that cannot run here.</summary>
    public void Check(ActiveManifest active)
    {
        ArgumentNullException.ThrowIfNull(active);
        var problems = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (name, workflow) in active.Manifest.Workflows.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var found = preflight.Check(active.Manifest, workflow);
            if (found.Count > 0)
            {
                problems[name] = found;
                RuntimeLog.WorkflowPreflightFailed(logger, name, active.Hash, string.Join("; ", found));
            }
        }

        _result = new Result(active.Hash, problems.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>One line for readiness: the failing workflows and their first problem, or null when all can run.</summary>
    public string? Describe()
    {
        var result = _result;
        if (result.Problems.Count == 0)
        {
            return null;
        }

        var workflows = result.Problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ({string.Join("; ", p.Value)})");
        return $"preflight: {result.Problems.Count} workflow(s) of manifest {result.Hash} cannot run here: {string.Join(", ", workflows)}";
    }

    private sealed record Result(string Hash, IReadOnlyDictionary<string, IReadOnlyList<string>> Problems);
}
