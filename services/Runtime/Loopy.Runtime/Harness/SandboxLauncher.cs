using Loopy.Runtime.Sandbox;

namespace Loopy.Runtime.Harness;

/// <summary>
/// What every harness does around its agent process: picks the provider by name, reads the sandbox env (env files
/// checked against the project root), acquires the attempt's sandbox, writes the <c>LOOPY_CONTEXT</c> file into its
/// <c>HOME</c>, adds the GitHub App's installation token (<see cref="GitHubAppTokens"/>), clones the sandbox's <c>repos:</c> (<see cref="RepoCloner"/>), delivers the skills, builds the environment, and redacts the sandbox's secrets from the reply and
/// from failure messages before they reach history and logs. The sandbox is released afterwards.
/// </summary>
public sealed class SandboxLauncher(SandboxProviders providers, GitHubAppTokens appTokens)
{
    private static readonly string[] BaseUrlVariables = ["ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"];

    public async Task<HarnessResult> RunAsync(
        HarnessRequest request,
        IReadOnlyCollection<string> harnessHosts,
        Func<AgentLaunch, CancellationToken, Task<HarnessResult>> run,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(run);
        var provider = providers.Get(request.Sandbox.Provider);
        var (declared, secrets) = SandboxEnvironment.Declared(request.ProjectRoot, request.SandboxName, request.Sandbox);
        if (await appTokens.ForSandboxAsync(request.ProjectRoot, request.Sandbox, declared, cancellationToken).ConfigureAwait(false) is { } token)
        {
            // The GitHub App's installation token: for the clone and the agent, masked like any other secret.
            declared["GITHUB_TOKEN"] = token;
            secrets = SecretRedactor.For(declared);
        }

        // A model API the sandbox env points the CLI at (a proxy, a gateway) is the harness's host too, with the
        // URL's port when it names one (the authority: a host alone would allow only 443 and 80).
        var hosts = harnessHosts
            .Concat(BaseUrlVariables
                .Select(v => declared.TryGetValue(v, out var url) && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Authority : null)
                .OfType<string>())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        ISandboxSession session;
        try
        {
            session = await provider.AcquireAsync(
                new SandboxRequest(request.RunId, request.StepId, request.Attempt, request.ProjectRoot, request.SandboxName, request.Sandbox, hosts)
                {
                    SecretFiles = request.SecretFiles,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not AttemptFailedException)
        {
            throw new AttemptFailedException(secrets.Redact($"sandbox '{request.SandboxName}' could not be acquired: {ex.Message}"), terminal: false);
        }

        await using (session.ConfigureAwait(false))
        {
            try
            {
                var contextPath = Path.Combine(session.Home, "loopy-context.json");
                await File.WriteAllTextAsync(contextPath, request.Context, cancellationToken).ConfigureAwait(false);
                var env = SandboxEnvironment.Build(request, declared, session.Home, session.Environment, contextPath);
                // The attempt's wall clock covers the clone and the agent together.
                var left = await RepoCloner.CloneAsync(new AgentLaunch(session, env, secrets, request.ProjectRoot, request.WallClock), request.Sandbox.Repos,
                    request.SandboxName, cancellationToken).ConfigureAwait(false);
                var launch = new AgentLaunch(session, env, secrets, request.ProjectRoot, left);
                Skills.Deliver(request.ProjectRoot, request.Agent.Skills, session.WorkingDirectory, request.Agent.Harness == "claude-code");
                var result = await run(launch, cancellationToken).ConfigureAwait(false);
                return result with { Reply = secrets.Redact(result.Reply) };
            }
            catch (AttemptFailedException ex)
            {
                throw new AttemptFailedException(secrets.Redact(ex.Message), ex.Terminal) { CostUsd = ex.CostUsd };
            }
        }
    }
}
