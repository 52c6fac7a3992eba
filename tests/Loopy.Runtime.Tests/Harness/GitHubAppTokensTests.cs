using System.Security.Cryptography;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Tests.Agents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Loopy.Runtime.Tests.Harness;

/// <summary>GitHub App installation tokens against a mock of the GitHub API on loopback that verifies the app JWT.</summary>
public sealed class GitHubAppTokensTests : IAsyncDisposable
{
    private const string AppId = "424242";
    private readonly RSA _key = RSA.Create(2048);
    private readonly ServiceProvider _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    private MockGitHubApi? _api;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_is_minted_for_the_repository_owner_installation_cached_and_renewed_before_it_expires()
    {
        var api = await StartApiAsync();
        api.Installations["acme"] = 77;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var tokens = Tokens(api, time);
        var app = new GitHubAppCredentials(AppId, _key.ExportRSAPrivateKeyPem());

        var first = await tokens.GetAsync(app, "acme", "service", Ct);
        var again = await tokens.GetAsync(app, "acme", "runbooks", Ct);

        Assert.StartsWith("ghs_mock77x", first.Token, StringComparison.Ordinal);
        Assert.Equal(first.Token, again.Token); // same installation, still fresh
        Assert.Equal(1, api.TokensMinted);
        Assert.DoesNotContain(first.Token, first.ToString(), StringComparison.Ordinal);

        // Within five minutes of its expiry a token is renewed.
        time.Advance(TimeSpan.FromMinutes(56));
        var renewed = await tokens.GetAsync(app, "acme", "service", Ct);
        Assert.NotEqual(first.Token, renewed.Token);
        Assert.Equal(2, api.TokensMinted);
        Assert.Equal(2, api.Requests.Count(r => r.StartsWith("GET installation", StringComparison.Ordinal))); // one lookup per repository
    }

    [Fact]
    public async Task An_owner_without_the_app_installed_fails_terminally_and_is_asked_again_next_time()
    {
        var api = await StartApiAsync();
        using var tokens = Tokens(api, TimeProvider.System);
        var pem = _key.ExportRSAPrivateKeyPem();
        var app = new GitHubAppCredentials(AppId, pem);

        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => tokens.GetAsync(app, "stranger", "repo", Ct));
        Assert.True(error.Terminal);
        Assert.Equal("GitHub App: finding the installation for stranger/repo failed: HTTP 404 (Not Found)", error.Message);

        api.Installations["stranger"] = 9;
        Assert.StartsWith("ghs_mock9x", (await tokens.GetAsync(app, "stranger", "repo", Ct)).Token, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_is_not_the_app_key_is_refused_and_a_malformed_key_is_named_without_its_text()
    {
        var api = await StartApiAsync();
        api.Installations["acme"] = 5;
        using var tokens = Tokens(api, TimeProvider.System);
        using var other = RSA.Create(2048);

        var refused = await Assert.ThrowsAsync<AttemptFailedException>(() => tokens.GetAsync(new GitHubAppCredentials(AppId, other.ExportRSAPrivateKeyPem()), "acme", "r", Ct));
        Assert.True(refused.Terminal);
        Assert.StartsWith("GitHub App: finding the installation for acme/r failed: HTTP 401", refused.Message, StringComparison.Ordinal);

        var malformed = await Assert.ThrowsAsync<AttemptFailedException>(() => tokens.GetAsync(new GitHubAppCredentials(AppId, "-----BEGIN RSA PRIVATE KEY-----\nnot-a-key\n-----END RSA PRIVATE KEY-----"), "acme", "r", Ct));
        Assert.Equal("GitHub App: the private key is not a PEM-encoded RSA key", malformed.Message);
        Assert.Equal(0, api.TokensMinted);
    }

    [Fact]
    public async Task An_unreachable_API_fails_the_attempt_for_a_retry_with_the_reason()
    {
        using var tokens = new GitHubAppTokens(
            _services.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new RuntimeOptions { GitHubApiUrl = new Uri("http://127.0.0.1:1/") }),
            TimeProvider.System);

        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => tokens.GetAsync(new GitHubAppCredentials(AppId, _key.ExportRSAPrivateKeyPem()), "acme", "r", Ct));
        Assert.False(error.Terminal);
        Assert.StartsWith("GitHub App: finding the installation for acme/r failed: http://127.0.0.1:1/ could not be reached (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_come_from_loopy_env_with_the_key_inline_or_in_a_file_and_a_half_configured_app_is_an_error()
    {
        Assert.Null(Environment.GetEnvironmentVariable("GITHUB_APP_ID")); // the engine environment would win
        var pem = _key.ExportRSAPrivateKeyPem();
        var root = Directory.CreateTempSubdirectory("loopy-ghapp-").FullName;
        Assert.Null(GitHubAppTokens.Credentials(root));

        File.WriteAllText(Path.Combine(root, "loopy.env"), $"GITHUB_APP_ID={AppId}\nGITHUB_APP_PRIVATE_KEY=\"{pem.ReplaceLineEndings("\\n")}\"\n");
        var inline = GitHubAppTokens.Credentials(root)!;
        Assert.Equal(AppId, inline.AppId);
        Assert.Equal(pem.ReplaceLineEndings("\n"), inline.PrivateKeyPem.TrimEnd('\n'));
        Assert.DoesNotContain("PRIVATE", inline.ToString(), StringComparison.Ordinal);

        Directory.CreateDirectory(Path.Combine(root, "secrets"));
        File.WriteAllText(Path.Combine(root, "secrets", "app.pem"), pem);
        File.WriteAllText(Path.Combine(root, "loopy.env"), $"GITHUB_APP_ID={AppId}\nGITHUB_APP_PRIVATE_KEY_FILE=secrets/app.pem\n");
        Assert.Equal(pem, GitHubAppTokens.Credentials(root)!.PrivateKeyPem);

        File.WriteAllText(Path.Combine(root, "loopy.env"), "GITHUB_APP_PRIVATE_KEY_FILE=secrets/app.pem\n");
        Assert.Equal("GitHub App: a private key is set (GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE) but GITHUB_APP_ID is not", Assert.Throws<AttemptFailedException>(() => GitHubAppTokens.Credentials(root)).Message);

        File.WriteAllText(Path.Combine(root, "loopy.env"), $"GITHUB_APP_ID={AppId}\nGITHUB_APP_PRIVATE_KEY_FILE=secrets/missing.pem\n");
        Assert.Equal("GitHub App: GITHUB_APP_PRIVATE_KEY_FILE 'secrets/missing.pem' does not exist", Assert.Throws<AttemptFailedException>(() => GitHubAppTokens.Credentials(root)).Message);
    }

    private async Task<MockGitHubApi> StartApiAsync() => _api = await new MockGitHubApi(AppId, _key).StartAsync(Ct);

    private GitHubAppTokens Tokens(MockGitHubApi api, TimeProvider time) => new(
        _services.GetRequiredService<IHttpClientFactory>(),
        Options.Create(new RuntimeOptions { GitHubApiUrl = new Uri(api.BaseUrl + "/") }),
        time);

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await _services.DisposeAsync();
        _key.Dispose();
    }
}
