using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.Sandbox;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>
/// Preflight (AUTHORING.md §8.7), before a run starts: for every agent a step of the workflow uses, the sandbox's
/// provider exists and can run it on this host, its env files exist inside the project root, the harness is
/// registered, its binary is on the sandbox's <c>PATH</c> (for <c>exec</c>, the command's program) and the sandbox
/// env provides the harness's key; its <c>repos:</c> stay inside the working directory and <c>git</c> is on the
/// sandbox's <c>PATH</c>; a spend cap on <c>codex</c> (no cost reports) has a price. All problems are reported together; a run with any fails at start.
/// </summary>
public sealed class RunPreflight(ManifestCatalog catalog, SandboxProviders providers, IEnumerable<IAgentHarness> harnesses, PriceTable prices, IOptions<RuntimeOptions> options)
{
    private readonly HashSet<string> _harnesses = new(harnesses.Select(h => h.Name), StringComparer.Ordinal);

    /// <summary>The problems, each naming its agent or sandbox, sorted; empty when the workflow may run.</summary>
    public IReadOnlyList<string> Check(LoopyManifest manifest, ManifestWorkflow workflow)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(workflow);
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        var agents = workflow.Steps.Values.Select(s => s.Agent).OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var name in agents)
        {
            if (!manifest.Registry.Agents.TryGetValue(name, out var agent))
            {
                continue; // the step fails with "unknown agent" when it runs
            }

            foreach (var problem in CheckAgent(manifest, name, agent))
            {
                problems.Add(problem);
            }
        }

        // A spend cap on a harness without cost reports needs a price for the model (§8.7).
        foreach (var step in workflow.Steps.Values.Where(s => s.Budget?.Spend is not null && s.Agent is not null))
        {
            if (manifest.Registry.Agents.TryGetValue(step.Agent!, out var agent) && agent.Harness == "codex" && prices.Find(agent.Model) is null)
            {
                problems.Add($"step {step.Id}: a spend cap with harness 'codex' needs a price for model '{agent.Model}' (Loopy:Runtime:Prices)");
            }
        }

        return [.. problems];
    }

    private IEnumerable<string> CheckAgent(LoopyManifest manifest, string name, ManifestAgent agent)
    {
        if (!_harnesses.Contains(agent.Harness))
        {
            yield return $"agent '{name}': harness '{agent.Harness}' is not available in this runtime";
        }

        if (!manifest.Registry.Sandboxes.TryGetValue(agent.Sandbox, out var sandbox))
        {
            yield return $"agent '{name}': unknown sandbox '{agent.Sandbox}'";
            yield break;
        }

        if (providers.Find(sandbox.Provider) is not { } provider)
        {
            yield return $"sandbox '{agent.Sandbox}': provider '{sandbox.Provider}' is not available on this host";
        }
        else
        {
            foreach (var problem in provider.Preflight(agent.Sandbox, sandbox))
            {
                yield return problem;
            }
        }

        foreach (var problem in RepoProblems(agent.Sandbox, sandbox))
        {
            yield return problem;
        }

        Dictionary<string, string> env;
        string? envProblem = null;
        try
        {
            env = SandboxEnvironment.Declared(catalog.ProjectRoot, agent.Sandbox, sandbox).Variables;
        }
        catch (AttemptFailedException ex)
        {
            env = [];
            envProblem = $"sandbox '{agent.Sandbox}': {ex.Message}";
        }

        if (envProblem is not null)
        {
            yield return envProblem;
            yield break;
        }

        if (Program(agent) is { Length: > 0 } program && !Exists(program, env))
        {
            yield return $"agent '{name}': '{program}' is not on the sandbox PATH ({env.GetValueOrDefault("PATH", SandboxEnvironment.DefaultPath)})";
        }

        if (sandbox.Repos.Count > 0 && !Exists("git", env))
        {
            yield return $"sandbox '{agent.Sandbox}': 'repos:' needs git, which is not on the sandbox PATH ({env.GetValueOrDefault("PATH", SandboxEnvironment.DefaultPath)})";
        }

        if (MissingKey(agent, env) is { } key)
        {
            yield return $"agent '{name}': harness key missing: the sandbox env of '{agent.Sandbox}' provides no {key}";
        }

        if (options.Value.GitHubAppTokens && !env.ContainsKey("GITHUB_TOKEN") && GitHubAppTokens.GitHubRepositories(sandbox).Any() && GitHubAppProblem() is { } appProblem)
        {
            yield return $"sandbox '{agent.Sandbox}': {appProblem}";
        }
    }

    /// <summary>Why the configured GitHub App cannot mint tokens (half configured, a missing key file), or null.</summary>
    private string? GitHubAppProblem()
    {
        try
        {
            _ = GitHubAppTokens.Credentials(catalog.ProjectRoot);
            return null;
        }
        catch (AttemptFailedException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Repos declared so they cannot be cloned: a folder outside the working directory, two repos in one folder.</summary>
    private static IEnumerable<string> RepoProblems(string sandboxName, ManifestSandbox sandbox)
    {
        foreach (var repo in sandbox.Repos)
        {
            if (RepoCloner.Problem(sandboxName, repo) is { } problem)
            {
                yield return problem;
            }
        }

        foreach (var clash in sandbox.Repos.GroupBy(r => RepoCloner.Folder(r).TrimEnd('/'), StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            yield return $"sandbox '{sandboxName}': repos {string.Join(" and ", clash.Select(r => $"'{r.Url}'"))} are all cloned into '{clash.Key}' (give them different 'path's)";
        }
    }

    private static string? Program(ManifestAgent agent) => agent.Harness switch
    {
        "claude-code" => "claude",
        "codex" => "codex",
        "opencode" => "opencode",
        "exec" => agent.CommandArgv() is { Count: > 0 } argv ? argv[0] : null,
        _ => null,
    };

    private bool Exists(string program, Dictionary<string, string> env)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(Path.GetFullPath(Path.Combine(catalog.ProjectRoot, program)));
        }

        return env.GetValueOrDefault("PATH", SandboxEnvironment.DefaultPath)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
    }

    /// <summary>The key the harness needs that the sandbox env lacks (AUTHORING.md §2.1), or null.</summary>
    private static string? MissingKey(ManifestAgent agent, Dictionary<string, string> env)
    {
        var key = agent.Harness switch
        {
            "claude-code" => "ANTHROPIC_API_KEY",
            "codex" => "OPENAI_API_KEY",
            "opencode" => OpencodeHarness.Key(agent.Model),
            _ => null,
        };
        if (key is null || env.TryGetValue(key, out var value) && value.Length > 0 || agent.Harness == "codex" && CodexHarness.Key(env) is not null)
        {
            return null;
        }

        return agent.Harness == "claude-code" && env.TryGetValue("HOME", out var home) && File.Exists(Path.Combine(home, ".claude", ".credentials.json"))
            ? null
            : key;
    }
}
