using System.Diagnostics;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Sandbox;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Tests.Repos;

/// <summary>
/// <see cref="RepoCloner"/> with real git, cloning real bare repositories over <c>file://</c> through a <c>local</c>
/// sandbox session (as the agent user when the tests run as root).
/// </summary>
public sealed class RepoClonerTests : IAsyncLifetime
{
    private const string Token = "ghp-test-7e6d5c4b3a29";
    private readonly BareRepository _repo = new();
    private readonly LocalSandboxProvider _provider = new(Options.Create(new RuntimeOptions()));
    private ISandboxSession _session = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _session = await _provider.AcquireAsync(new SandboxRequest("run-1", "wf/clone", 1, Path.GetTempPath(), "box", new ManifestSandbox { Provider = "local" }, []), Ct);

    [Fact]
    public async Task By_default_one_commit_of_the_default_branch_is_cloned_into_the_repository_name()
    {
        await CloneAsync(new ManifestRepo { Url = _repo.Url, Depth = 1 });

        var clone = Path.Combine(_session.WorkingDirectory, "widgets");
        Assert.True(File.Exists(Path.Combine(clone, "two.txt")));
        Assert.Equal("1", BareRepository.Git(clone, "rev-list", "--count", "HEAD").Trim());
        Assert.Equal(_repo.SecondCommit, BareRepository.Git(clone, "rev-parse", "HEAD").Trim());
    }

    [Fact]
    public async Task Depth_null_clones_the_whole_history()
    {
        await CloneAsync(new ManifestRepo { Url = _repo.Url, Depth = null });

        var clone = Path.Combine(_session.WorkingDirectory, "widgets");
        Assert.Equal("2", BareRepository.Git(clone, "rev-list", "--count", "HEAD").Trim());
        Assert.Contains("origin/feature", BareRepository.Git(clone, "branch", "--remotes"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_branch_ref_is_checked_out_shallow()
    {
        await CloneAsync(new ManifestRepo { Url = _repo.Url, Ref = "feature", Depth = 1 });

        var clone = Path.Combine(_session.WorkingDirectory, "widgets");
        Assert.True(File.Exists(Path.Combine(clone, "feature.txt")));
        Assert.False(File.Exists(Path.Combine(clone, "two.txt")));
        Assert.Equal("feature", BareRepository.Git(clone, "rev-parse", "--abbrev-ref", "HEAD").Trim());
        Assert.Equal("1", BareRepository.Git(clone, "rev-list", "--count", "HEAD").Trim());
    }

    [Fact]
    public async Task A_tag_ref_is_checked_out()
    {
        await CloneAsync(new ManifestRepo { Url = _repo.Url, Ref = "v1", Depth = 1 });

        Assert.Equal(_repo.FirstCommit, BareRepository.Git(Path.Combine(_session.WorkingDirectory, "widgets"), "rev-parse", "HEAD").Trim());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(null)]
    public async Task A_full_commit_id_ref_is_checked_out_shallow_or_with_full_history(int? depth)
    {
        await CloneAsync(new ManifestRepo { Url = _repo.Url, Ref = _repo.FirstCommit, Depth = depth });

        var clone = Path.Combine(_session.WorkingDirectory, "widgets");
        Assert.Equal(_repo.FirstCommit, BareRepository.Git(clone, "rev-parse", "HEAD").Trim());
        Assert.True(File.Exists(Path.Combine(clone, "one.txt")));
        Assert.False(File.Exists(Path.Combine(clone, "two.txt")));
        Assert.Equal("1", BareRepository.Git(clone, "rev-list", "--count", "HEAD").Trim());
        var all = BareRepository.Git(clone, "rev-list", "--count", "--all").Trim();
        Assert.Equal(depth is null ? "3" : "1", all);
    }

    [Fact]
    public async Task Path_chooses_the_folder_and_several_repos_are_cloned()
    {
        await CloneAsync(
            new ManifestRepo { Url = _repo.Url, Path = "src/app", Depth = 1 },
            new ManifestRepo { Url = _repo.Url, Ref = "feature", Path = "feature", Depth = 1 });

        Assert.True(File.Exists(Path.Combine(_session.WorkingDirectory, "src", "app", "two.txt")));
        Assert.True(File.Exists(Path.Combine(_session.WorkingDirectory, "feature", "feature.txt")));
        Assert.False(Directory.Exists(Path.Combine(_session.WorkingDirectory, "widgets")));
    }

    [Fact]
    public async Task A_failing_clone_fails_the_attempt_for_a_retry_with_git_s_error_and_secrets_masked()
    {
        var missing = new Uri(Path.Combine(_repo.Folder, $"missing-{Token}.git")).AbsoluteUri;

        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => CloneAsync(new ManifestRepo { Url = missing, Depth = 1 }));

        Assert.False(error.Terminal);
        Assert.StartsWith("repo '", error.Message, StringComparison.Ordinal);
        Assert.Contains($"could not be cloned into 'missing-{SecretRedactor.Mask}': git exited with code 128", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not appear to be a git repository", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_clone_masks_the_password_of_a_url()
    {
        var error = await Assert.ThrowsAsync<AttemptFailedException>(() =>
            CloneAsync(new ManifestRepo { Url = "https://loopy:s3cr3t-pass@127.0.0.1:9/acme/x.git", Depth = 1 }));

        Assert.False(error.Terminal);
        Assert.DoesNotContain("s3cr3t-pass", error.Message, StringComparison.Ordinal);
        Assert.Contains("could not be cloned into 'x'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/tmp/elsewhere")]
    [InlineData("a/../../b")]
    [InlineData(".")]
    public async Task A_path_outside_the_working_directory_fails_the_attempt_terminally_before_git_runs(string path)
    {
        var repo = new ManifestRepo { Url = _repo.Url, Path = path, Depth = 1 };
        Assert.Contains("escapes the working directory", RepoCloner.Problem("box", repo), StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<AttemptFailedException>(() => CloneAsync(repo));

        Assert.True(error.Terminal);
        Assert.Equal($"sandbox 'box': repo '{_repo.Url}' path '{path}' escapes the working directory (it must be a relative folder without '..')", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_session.WorkingDirectory));
    }

    [Theory]
    [InlineData("acme/service", "https://github.com/acme/service.git", "service")]
    [InlineData("https://gitlab.example.com/group/tool.git", "https://gitlab.example.com/group/tool.git", "tool")]
    [InlineData("git@github.com:acme/api.git", "git@github.com:acme/api.git", "api")]
    [InlineData("https://github.com/acme/web/", "https://github.com/acme/web/", "web")]
    public void Owner_name_is_a_GitHub_URL_and_the_folder_is_the_repository_name(string url, string cloneUrl, string folder)
    {
        Assert.Equal(cloneUrl, RepoCloner.CloneUrl(url));
        Assert.Equal(folder, RepoCloner.Folder(new ManifestRepo { Url = url }));
    }

    [Fact]
    public void The_token_never_appears_in_argv_it_reaches_git_through_a_credential_helper_named_in_the_environment()
    {
        var env = RepoCloner.WithCredentials(new Dictionary<string, string>
        {
            ["GITHUB_TOKEN"] = Token,
            ["GIT_CONFIG_COUNT"] = "1",
            ["GIT_CONFIG_KEY_0"] = "core.autocrlf",
            ["GIT_CONFIG_VALUE_0"] = "false",
        });
        var repos = new[]
        {
            new ManifestRepo { Url = "acme/service", Depth = 1 },
            new ManifestRepo { Url = "acme/service", Ref = "main", Path = "main", Depth = null },
            new ManifestRepo { Url = "acme/service", Ref = _repo.FirstCommit, Path = "pinned", Depth = 1 },
        };

        var argvs = repos.SelectMany(r => RepoCloner.Commands("/usr/bin/git", r)).ToList();
        var starts = argvs.Select(argv => _session.CreateStartInfo(argv, env)).ToList();

        Assert.All(argvs.SelectMany(a => a), arg => Assert.DoesNotContain(Token, arg, StringComparison.Ordinal));
        Assert.All(starts.SelectMany(s => s.ArgumentList.Append(s.FileName)), arg => Assert.DoesNotContain(Token, arg, StringComparison.Ordinal));
        Assert.All(env.Where(kv => kv.Key != "GITHUB_TOKEN").Select(kv => kv.Value), value => Assert.DoesNotContain(Token, value, StringComparison.Ordinal));
        // Appended after the sandbox's own GIT_CONFIG entries.
        Assert.Equal("2", env["GIT_CONFIG_COUNT"]);
        Assert.Equal("core.autocrlf", env["GIT_CONFIG_KEY_0"]);
        Assert.Equal(RepoCloner.CredentialKey, env["GIT_CONFIG_KEY_1"]);
        Assert.Equal(["clone", "--quiet", "--depth", "1", "--", "https://github.com/acme/service.git", "service"], argvs[0].Skip(1));
        Assert.Equal(["clone", "--quiet", "--branch", "main", "--", "https://github.com/acme/service.git", "main"], argvs[1].Skip(1));
    }

    [Fact]
    public async Task Git_in_the_sandbox_gets_the_token_for_github_com_from_the_environment_and_for_no_other_host()
    {
        var env = RepoCloner.WithCredentials(new Dictionary<string, string>
        {
            ["PATH"] = SandboxEnvironment.DefaultPath,
            ["HOME"] = _session.Home,
            ["GITHUB_TOKEN"] = Token,
            ["GIT_TERMINAL_PROMPT"] = "0",
        });

        var github = await RunAsync(["git", "credential", "fill"], env, "protocol=https\nhost=github.com\n\n");
        var other = await RunAsync(["git", "credential", "fill"], env, "protocol=https\nhost=gitlab.example.com\n\n");

        Assert.Equal(0, github.ExitCode);
        Assert.Contains("username=x-access-token\n", github.Stdout, StringComparison.Ordinal);
        Assert.Contains($"password={Token}\n", github.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, other.ExitCode);
        Assert.DoesNotContain(Token, other.Stdout + other.Stderr, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _repo.Dispose();
    }

    private async Task CloneAsync(params ManifestRepo[] repos)
    {
        // As SandboxEnvironment.Build gives it: with the credential helper for the token.
        var env = RepoCloner.WithCredentials(new Dictionary<string, string>(_repo.SafeDirectoryVariables)
        {
            ["PATH"] = SandboxEnvironment.DefaultPath,
            ["HOME"] = _session.Home,
            ["GITHUB_TOKEN"] = Token,
        });
        var launch = new AgentLaunch(_session, env, SecretRedactor.For(new Dictionary<string, string> { ["GITHUB_TOKEN"] = Token }), Path.GetTempPath(), TimeSpan.FromMinutes(2));
        await RepoCloner.CloneAsync(launch, repos, "box", Ct);
    }

    private async Task<AgentProcessResult> RunAsync(string[] argv, Dictionary<string, string> env, string stdin)
    {
        var start = _session.CreateStartInfo(argv, env);
        return await AgentProcess.RunAsync(start, stdin, TimeSpan.FromMinutes(1), 10_000, 10_000, null, Ct);
    }
}
