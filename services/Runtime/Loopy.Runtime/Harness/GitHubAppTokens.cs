using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Loopy.Contracts.Manifest;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Installation access tokens of the project's GitHub App (AUTHORING.md §8.4): the engine signs a 9-minute app JWT
/// (RS256) with <c>GITHUB_APP_PRIVATE_KEY</c> (or the PEM file <c>GITHUB_APP_PRIVATE_KEY_FILE</c>), finds the
/// installation on the repository's owner (<c>GET /repos/{owner}/{repo}/installation</c>) and asks it for a token
/// (<c>POST /app/installations/{id}/access_tokens</c>). Tokens are cached per installation until five minutes before
/// they expire. The key is read from the engine environment, which wins, or <c>loopy.env</c> in the project root,
/// never from a sandbox env; neither the key nor a token appears in an error message.
/// </summary>
public sealed class GitHubAppTokens(IHttpClientFactory clients, IOptions<RuntimeOptions> options, TimeProvider time) : IDisposable
{
    public const string HttpClientName = "github-app";

    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, Task<long>> _installations = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<long, GitHubInstallationToken> _tokens = new();
    private readonly SemaphoreSlim _mint = new(1, 1);

    /// <summary>The app's credentials from the engine environment or <c>loopy.env</c>, or null when no app is configured.</summary>
    public static GitHubAppCredentials? Credentials(string projectRoot)
    {
        ArgumentNullException.ThrowIfNull(projectRoot);
        var loopyEnv = new Lazy<Dictionary<string, string>>(() =>
        {
            var path = Path.Combine(projectRoot, "loopy.env");
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (File.Exists(path))
            {
                foreach (var (key, value) in SandboxEnvironment.ReadEnvFile(projectRoot, "loopy.env"))
                {
                    values[key] = value;
                }
            }

            return values;
        });
        string? Get(string name) =>
            Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : loopyEnv.Value.GetValueOrDefault(name) is { Length: > 0 } fromFile ? fromFile : null;

        var appId = Get("GITHUB_APP_ID");
        var key = Get("GITHUB_APP_PRIVATE_KEY");
        var keyFile = Get("GITHUB_APP_PRIVATE_KEY_FILE");
        if (appId is null && key is null && keyFile is null)
        {
            return null;
        }

        if (appId is null)
        {
            throw new AttemptFailedException("GitHub App: a private key is set (GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE) but GITHUB_APP_ID is not", terminal: true);
        }

        if (key is null && keyFile is not null)
        {
            var path = Path.IsPathRooted(keyFile) ? keyFile : Path.GetFullPath(Path.Combine(projectRoot, keyFile));
            if (!File.Exists(path))
            {
                throw new AttemptFailedException($"GitHub App: GITHUB_APP_PRIVATE_KEY_FILE '{keyFile}' does not exist", terminal: true);
            }

            key = File.ReadAllText(path);
        }

        if (key is null)
        {
            throw new AttemptFailedException("GitHub App: GITHUB_APP_ID is set but neither GITHUB_APP_PRIVATE_KEY nor GITHUB_APP_PRIVATE_KEY_FILE is", terminal: true);
        }

        // A key put on one line in an env file keeps its line breaks as "\n".
        return new GitHubAppCredentials(appId, key.Replace("\\n", "\n", StringComparison.Ordinal));
    }

    /// <summary>
    /// The installation token an attempt of <paramref name="sandbox"/> gets as <c>GITHUB_TOKEN</c> (AUTHORING.md §8.4):
    /// when a GitHub App is configured, tokens are on (<see cref="RuntimeOptions.GitHubAppTokens"/>) and the sandbox
    /// clones a repository from github.com, a token of the installation on that repository's owner (the first such
    /// repository); otherwise null. A sandbox env that sets <c>GITHUB_TOKEN</c> itself keeps it (decision).
    /// </summary>
    public async Task<string?> ForSandboxAsync(string projectRoot, ManifestSandbox sandbox, IReadOnlyDictionary<string, string> declared, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(declared);
        if (!options.Value.GitHubAppTokens || declared.ContainsKey("GITHUB_TOKEN"))
        {
            return null;
        }

        var first = GitHubRepositories(sandbox).Select(r => ((string Owner, string Name)?)r).FirstOrDefault();
        if (first is not { } repo || Credentials(projectRoot) is not { } app)
        {
            return null;
        }

        return (await GetAsync(app, repo.Owner, repo.Name, cancellationToken).ConfigureAwait(false)).Token;
    }

    /// <summary>The sandbox's <c>repos:</c> on github.com as (owner, name), in order.</summary>
    public static IEnumerable<(string Owner, string Name)> GitHubRepositories(ManifestSandbox sandbox)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        foreach (var repo in sandbox.Repos)
        {
            if (Uri.TryCreate(RepoCloner.CloneUrl(repo.Url), UriKind.Absolute, out var url)
                && url.Scheme == Uri.UriSchemeHttps
                && string.Equals(url.Host, "github.com", StringComparison.OrdinalIgnoreCase)
                && url.AbsolutePath.Trim('/').Split('/') is [var owner, var name] && owner.Length > 0 && name.Length > 0)
            {
                yield return (owner, name.EndsWith(".git", StringComparison.Ordinal) ? name[..^4] : name);
            }
        }
    }

    /// <summary>A token of the installation that covers <paramref name="owner"/>/<paramref name="repo"/>, minted or cached.</summary>
    public async Task<GitHubInstallationToken> GetAsync(GitHubAppCredentials app, string owner, string repo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        var installation = await _installations.GetOrAdd($"{app.AppId}/{owner}/{repo}", _ => FindInstallationAsync(app, owner, repo, cancellationToken)).ConfigureAwait(false);
        if (Fresh(installation) is { } cached)
        {
            return cached;
        }

        await _mint.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(installation) is { } minted)
            {
                return minted;
            }

            var token = await MintAsync(app, installation, cancellationToken).ConfigureAwait(false);
            _tokens[installation] = token;
            return token;
        }
        finally
        {
            _mint.Release();
        }
    }

    public void Dispose() => _mint.Dispose();

    private GitHubInstallationToken? Fresh(long installation) =>
        _tokens.TryGetValue(installation, out var token) && token.ExpiresAt - RenewBefore > time.GetUtcNow() ? token : null;

    private async Task<long> FindInstallationAsync(GitHubAppCredentials app, string owner, string repo, CancellationToken cancellationToken)
    {
        try
        {
            using var request = Request(HttpMethod.Get, $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(repo)}/installation", app);
            using var response = await SendAsync(request, $"finding the installation for {owner}/{repo}", cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadFromJsonAsync(GitHubJsonContext.Default.InstallationBody, cancellationToken).ConfigureAwait(false);
            return body?.Id ?? throw new AttemptFailedException($"GitHub App: the installation answer for {owner}/{repo} has no id");
        }
        catch
        {
            // Not cached: a later attempt asks again (the app may have been installed meanwhile).
            _installations.TryRemove($"{app.AppId}/{owner}/{repo}", out _);
            throw;
        }
    }

    private async Task<GitHubInstallationToken> MintAsync(GitHubAppCredentials app, long installation, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, $"app/installations/{installation}/access_tokens", app);
        using var response = await SendAsync(request, $"creating a token for installation {installation}", cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync(GitHubJsonContext.Default.TokenBody, cancellationToken).ConfigureAwait(false);
        if (body?.Token is not { Length: > 0 } token)
        {
            throw new AttemptFailedException($"GitHub App: the token answer for installation {installation} has no token");
        }

        return new GitHubInstallationToken(token, body.ExpiresAt ?? time.GetUtcNow().AddHours(1));
    }

    /// <summary>Sends and checks the answer; an unreachable API fails the attempt (retried) with the reason.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new AttemptFailedException($"GitHub App: {what} failed: {options.Value.GitHubApiUrl} could not be reached ({ex.Message})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AttemptFailedException($"GitHub App: {what} failed: {options.Value.GitHubApiUrl} did not answer in time");
        }

        try
        {
            await EnsureSuccessAsync(response, what, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path, GitHubAppCredentials app)
    {
        var request = new HttpRequestMessage(method, new Uri(options.Value.GitHubApiUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AppJwt(app));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("loopy", "1"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        return request;
    }

    /// <summary>The app JWT: issued a minute in the past against clock drift, valid nine minutes (GitHub allows ten).</summary>
    private string AppJwt(GitHubAppCredentials app)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var header = Base64Url("""{"alg":"RS256","typ":"JWT"}"""u8);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new JwtPayload(now - 60, now + 540, app.AppId), GitHubJsonContext.Default.JwtPayload));
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(app.PrivateKeyPem);
        }
        catch (ArgumentException)
        {
            throw new AttemptFailedException("GitHub App: the private key is not a PEM-encoded RSA key", terminal: true);
        }

        var signature = rsa.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        // GitHub's error body is a short {"message": ...}; it never echoes the JWT.
        string? message = null;
        try
        {
            message = (await response.Content.ReadFromJsonAsync(GitHubJsonContext.Default.ErrorBody, cancellationToken).ConfigureAwait(false))?.Message;
        }
        catch (JsonException)
        {
        }

        var status = (int)response.StatusCode;
        var terminal = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity;
        throw new AttemptFailedException($"GitHub App: {what} failed: HTTP {status}{(message is null ? string.Empty : $" ({message})")}", terminal);
    }

    internal sealed record InstallationBody([property: JsonPropertyName("id")] long? Id);

    internal sealed record TokenBody([property: JsonPropertyName("token")] string? Token, [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt);

    internal sealed record ErrorBody([property: JsonPropertyName("message")] string? Message);

    internal sealed record JwtPayload([property: JsonPropertyName("iat")] long Iat, [property: JsonPropertyName("exp")] long Exp, [property: JsonPropertyName("iss")] string Iss);
}

/// <summary>The GitHub App's id and PEM private key.</summary>
public sealed record GitHubAppCredentials(string AppId, string PrivateKeyPem)
{
    public override string ToString() => $"GitHubAppCredentials {{ AppId = {AppId} }}";
}

/// <summary>An installation access token and when it expires.</summary>
public sealed record GitHubInstallationToken(string Token, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"GitHubInstallationToken {{ ExpiresAt = {ExpiresAt:O} }}";
}

[JsonSerializable(typeof(GitHubAppTokens.InstallationBody))]
[JsonSerializable(typeof(GitHubAppTokens.TokenBody))]
[JsonSerializable(typeof(GitHubAppTokens.ErrorBody))]
[JsonSerializable(typeof(GitHubAppTokens.JwtPayload))]
internal sealed partial class GitHubJsonContext : JsonSerializerContext;
