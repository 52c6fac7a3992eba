using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Tests.Sandbox;

public sealed class SandboxPreflightTests
{
    private static readonly ManifestSandbox Sandbox = new() { Provider = "bwrap", Network = ["api.example.com"] };

    [Theory]
    [InlineData("docker")]
    [InlineData("daytona")]
    public async Task Docker_and_daytona_fail_preflight_and_acquire_terminally(string name)
    {
        ISandboxProvider provider = name == "docker" ? new DockerSandboxProvider() : new DaytonaSandboxProvider();
        var expected = $"sandbox provider '{name}' is not available on this host";

        Assert.Equal(name, provider.Name);
        Assert.Equal([expected], provider.Preflight("box", Sandbox with { Provider = name }));
        var error = await Assert.ThrowsAsync<AttemptFailedException>(() =>
            provider.AcquireAsync(new SandboxRequest("run", "wf/step", 1, "/tmp", "box", Sandbox with { Provider = name }, []), TestContext.Current.CancellationToken));
        Assert.True(error.Terminal);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task A_missing_bwrap_binary_is_a_clear_preflight_problem_and_a_terminal_failure()
    {
        var provider = Provider(new BwrapOptions { BwrapPath = "/nonexistent/bwrap" });

        var problem = Assert.Single(provider.Preflight("box", Sandbox));
        Assert.Contains("'/nonexistent/bwrap' not found (install the Debian package bubblewrap)", problem, StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<AttemptFailedException>(() =>
            provider.AcquireAsync(new SandboxRequest("run", "wf/step", 1, "/tmp", "box", Sandbox, []), TestContext.Current.CancellationToken));
        Assert.True(error.Terminal);
    }

    [Fact]
    public void A_missing_socat_or_read_only_bind_is_a_preflight_problem()
    {
        var options = new BwrapOptions { SocatPath = "/nonexistent/socat" };
        options.ReadOnlyBinds.Add("/nonexistent/tools");

        var problems = Provider(options).Preflight("box", Sandbox);

        Assert.Contains(problems, p => p.Contains("'/nonexistent/socat' not found (install the Debian package socat", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("read-only bind '/nonexistent/tools'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_network_entry_fails_preflight()
    {
        var problems = Provider(new BwrapOptions { BwrapPath = "/nonexistent/bwrap" }).Preflight("box", Sandbox with { Network = ["https://x.example.com/"] });

        Assert.Contains("sandbox 'box': network entry 'https://x.example.com/' is not a host name, *.domain or IP address (with an optional :port)", problems);
    }

    [Fact]
    public void Options_bind_from_the_bwrap_section()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Loopy:Runtime:Bwrap:ReadOnlyBinds:0"] = "/opt/tools",
                ["Loopy:Runtime:Bwrap:AgentUid"] = "1234",
                ["Loopy:Runtime:Bwrap:MaxProcesses"] = "64",
            })
            .Build();
        var options = new BwrapOptions();

        configuration.GetSection(BwrapOptions.SectionName).Bind(options);

        Assert.Equal(["/opt/tools"], options.ReadOnlyBinds);
        Assert.Equal(1234, options.AgentUid);
        Assert.Equal(64, options.MaxProcesses);
    }

    private static BwrapSandboxProvider Provider(BwrapOptions options) =>
        new(Options.Create(options), NullLogger<BwrapSandboxProvider>.Instance);
}
