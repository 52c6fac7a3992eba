using System.Runtime.Versioning;
using System.Security.Cryptography;
using Loopy.Runtime.Tests.Agents;

namespace Loopy.Runtime.Tests.Repos;

/// <summary>
/// A GitHub App configured in <c>loopy.env</c>: a step whose sandbox clones a github.com repository gets an installation
/// token of the repository owner's installation as <c>GITHUB_TOKEN</c> (minted against a loopback mock of the GitHub
/// API that verifies the app JWT), masked in what the step returns. git's <c>insteadOf</c> maps
/// <c>https://github.com/acme/</c> onto a real local bare repository, so the clone itself is real and offline.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class GitHubAppRunTests : IAsyncDisposable
{
    private const string AppId = "31337";
    private readonly BareRepository _repo = new();
    private readonly RSA _key = RSA.Create(2048);
    private MockGitHubApi? _api;
    private RuntimeFixture? _runtime;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_step_cloning_from_github_gets_the_owner_installation_token_masked_in_its_output()
    {
        var api = await StartApiAsync();
        _runtime = await RuntimeFixture.StartAsync(Project(), null, null, Settings(api, tokens: true), Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var output = Assert.Single(run.GetProperty("steps").EnumerateArray()).GetProperty("output");
        Assert.Equal("one.txt two.txt", output.GetProperty("files").GetString());
        Assert.Equal("ghs_mock77", output.GetProperty("issuer").GetString()); // the token of installation 77 (acme)
        Assert.Equal("***", output.GetProperty("token").GetString()); // the secret itself never leaves the sandbox
        Assert.Equal("credential.https://github.com.helper", output.GetProperty("helper").GetString());
        Assert.Equal(1, api.TokensMinted);
        Assert.Contains("GET installation acme/widgets", api.Requests);
    }

    [Fact]
    public async Task With_tokens_off_the_step_gets_no_token_and_the_app_is_not_asked()
    {
        var api = await StartApiAsync();
        _runtime = await RuntimeFixture.StartAsync(Project(), null, null, Settings(api, tokens: false), Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        var output = Assert.Single(run.GetProperty("steps").EnumerateArray()).GetProperty("output");
        Assert.Equal("one.txt two.txt", output.GetProperty("files").GetString()); // a public repository clones without one
        Assert.Equal("none", output.GetProperty("token").GetString());
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_half_configured_app_fails_preflight_naming_what_is_missing()
    {
        var api = await StartApiAsync();
        var root = Project();
        Write(root, "loopy.env", "GITHUB_APP_PRIVATE_KEY_FILE=secrets/app.pem");
        _runtime = await RuntimeFixture.StartAsync(root, null, null, Settings(api, tokens: true), Ct);

        await _runtime.PublishAsync("Go", new { n = "1" }, cancellationToken: Ct);

        var run = await _runtime.WaitForTerminalRunAsync("look", Ct);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("preflight failed: sandbox 'default': GitHub App: a private key is set (GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE) but GITHUB_APP_ID is not", run.GetProperty("error").GetString());
        Assert.Empty(api.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        _repo.Dispose();
        _key.Dispose();
    }

    private async Task<MockGitHubApi> StartApiAsync()
    {
        _api = await new MockGitHubApi(AppId, _key).StartAsync(Ct);
        _api.Installations["acme"] = 77;
        return _api;
    }

    private static Dictionary<string, string?> Settings(MockGitHubApi api, bool tokens) => new()
    {
        ["Loopy:Runtime:GitHubApiUrl"] = api.BaseUrl + "/",
        ["Loopy:Runtime:GitHubAppTokens"] = tokens ? "true" : "false",
    };

    /// <summary>A project cloning <c>acme/widgets</c> (mapped onto the bare repository) with the app in <c>loopy.env</c>.</summary>
    private string Project()
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-ghapp-").FullName;
        var gitConfig = Path.Combine(root, "gitconfig");
        Write(root, "gitconfig", $"[safe]\n\tdirectory = *\n[url \"{new Uri(_repo.Folder + "/").AbsoluteUri}\"]\n\tinsteadOf = https://github.com/acme/");
        File.SetUnixFileMode(gitConfig, (UnixFileMode)0b110_100_100);
        Write(root, "registry.yml", """
            sandboxes:
              default:
                provider: local
                env_file: secrets/git.env
                repos: [acme/widgets]
            agents:
              Lister: { sandbox: default, harness: exec, model: ls-v1, command: [sh, scripts/list.sh] }
            events:
              Go: { n: str }
            """);
        Write(root, "secrets/git.env", $"GIT_CONFIG_GLOBAL={gitConfig}");
        Write(root, "secrets/app.pem", _key.ExportRSAPrivateKeyPem());
        Write(root, "loopy.env", $"GITHUB_APP_ID={AppId}\nGITHUB_APP_PRIVATE_KEY_FILE=secrets/app.pem");
        Write(root, "scripts/list.sh", """
            cat >/dev/null
            printf '{"output": {"files": "%s", "issuer": "%s", "token": "%s", "helper": "%s"}}\n' \
              "$(ls widgets | tr '\n' ' ' | sed 's/ $//')" "${GITHUB_TOKEN%%x*}" "${GITHUB_TOKEN:-none}" "$GIT_CONFIG_KEY_0"
            """);
        Write(root, "workflows/look/list.md", """
            ---
            on: Go
            agent: Lister
            output: { files: str, issuer: str, token: str, helper: str }
            ---
            List the repository.
            """);
        TestProjects.Compile(root);
        TestProjects.ShareWithAgents(root);
        return root;
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
    }
}
