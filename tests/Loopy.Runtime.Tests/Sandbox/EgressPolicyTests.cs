using System.Net;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Sandbox;

namespace Loopy.Runtime.Tests.Sandbox;

public sealed class EgressPolicyTests
{
    [Theory]
    [InlineData("api.example.com", 443, true)]
    [InlineData("deep.api.example.com", 80, true)]
    [InlineData("example.com", 443, false)]
    [InlineData("badexample.com", 443, false)]
    [InlineData("api.example.com.evil.net", 443, false)]
    [InlineData("api.example.com", 8443, false)]
    public async Task A_wildcard_matches_subdomains_at_any_depth_on_the_default_ports(string host, int port, bool allowed)
    {
        var policy = Policy(["*.example.com"], PublicResolver);

        var decision = await policy.DecideAsync(host, port, TestContext.Current.CancellationToken);

        Assert.Equal(allowed, decision.Allowed);
    }

    [Fact]
    public async Task A_host_entry_with_a_port_allows_only_that_port_and_matches_case_insensitively()
    {
        var policy = Policy(["Registry.NPMJS.org:8443"], PublicResolver);
        var ct = TestContext.Current.CancellationToken;

        Assert.True((await policy.DecideAsync("registry.npmjs.org.", 8443, ct)).Allowed);
        Assert.False((await policy.DecideAsync("registry.npmjs.org", 443, ct)).Allowed);
        Assert.Equal("not on the allowlist", (await policy.DecideAsync("other.org", 8443, ct)).Reason);
    }

    [Fact]
    public async Task A_literal_ip_entry_reaches_loopback_but_only_on_its_port()
    {
        var policy = Policy(["127.0.0.1:8080", "[::1]:9090"], NoResolver);
        var ct = TestContext.Current.CancellationToken;

        var v4 = await policy.DecideAsync("127.0.0.1", 8080, ct);
        var v6 = await policy.DecideAsync("[::1]", 9090, ct);

        Assert.True(v4.Allowed);
        Assert.Equal([IPAddress.Loopback], v4.Addresses);
        Assert.True(v6.Allowed);
        Assert.False((await policy.DecideAsync("127.0.0.1", 8081, ct)).Allowed);
        Assert.False((await policy.DecideAsync("127.0.0.2", 8080, ct)).Allowed);
    }

    [Fact]
    public async Task Localhost_as_an_entry_is_trusted_and_connects_to_loopback_without_dns()
    {
        var policy = Policy(["localhost:5000"], NoResolver);

        var decision = await policy.DecideAsync("LOCALHOST", 5000, TestContext.Current.CancellationToken);

        Assert.True(decision.Allowed);
        Assert.Contains(IPAddress.Loopback, decision.Addresses);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:a9fe:a9fe::1")]
    public async Task An_allowed_name_that_resolves_to_a_non_public_address_is_refused(string address)
    {
        var policy = Policy(["metadata.example.com"], (_, _) => Task.FromResult(new[] { IPAddress.Parse(address) }));

        var decision = await policy.DecideAsync("metadata.example.com", 443, TestContext.Current.CancellationToken);

        Assert.False(decision.Allowed);
        Assert.StartsWith("resolves only to non-public addresses", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_public_addresses_of_a_mixed_answer_are_used()
    {
        var policy = Policy(["mixed.example.com"], (_, _) => Task.FromResult(new[] { IPAddress.Parse("10.0.0.5"), IPAddress.Parse("93.184.216.34") }));

        var decision = await policy.DecideAsync("mixed.example.com", 443, TestContext.Current.CancellationToken);

        Assert.True(decision.Allowed);
        Assert.Equal([IPAddress.Parse("93.184.216.34")], decision.Addresses);
    }

    [Fact]
    public async Task A_literal_private_address_not_on_the_list_is_refused_even_when_egress_is_unrestricted()
    {
        var policy = Policy([], PublicResolver);
        var ct = TestContext.Current.CancellationToken;

        Assert.True(policy.AllowsAnyPublicHost);
        Assert.True((await policy.DecideAsync("anything.example.org", 22, ct)).Allowed);
        Assert.False((await policy.DecideAsync("169.254.169.254", 80, ct)).Allowed);
        Assert.False((await policy.DecideAsync("127.0.0.1", 5432, ct)).Allowed);
    }

    [Fact]
    public async Task Harness_and_repos_hosts_are_allowed_besides_the_network_list()
    {
        var sandbox = new ManifestSandbox
        {
            Provider = "bwrap",
            Network = ["pypi.org"],
            Repos = [new ManifestRepo { Url = "acme/widgets" }, new ManifestRepo { Url = "https://gitlab.example.net/a/b.git" }],
        };
        var request = new SandboxRequest("run", "wf/step", 1, "/tmp", "box", sandbox, ["api.anthropic.com", "127.0.0.1:7777"]);
        var policy = EgressPolicy.For(request, PublicResolver);
        var ct = TestContext.Current.CancellationToken;

        Assert.False(policy.AllowsAnyPublicHost);
        foreach (var (host, port) in new[] { ("pypi.org", 443), ("api.anthropic.com", 443), ("127.0.0.1", 7777), ("github.com", 443), ("gitlab.example.net", 443) })
        {
            Assert.True((await policy.DecideAsync(host, port, ct)).Allowed, host);
        }

        Assert.False((await policy.DecideAsync("files.pythonhosted.org", 443, ct)).Allowed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("*.10.0.0.1")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("exa mple.com")]
    [InlineData("https://example.com/")]
    [InlineData("[::1")]
    public void Malformed_entries_are_reported(string entry) =>
        Assert.Equal([entry], EgressPolicy.InvalidEntries([entry, "ok.example.com", "*.ok.example.com:8443", "[::1]:80", "10.0.0.1"]));

    private static EgressPolicy Policy(string[] entries, Func<string, CancellationToken, Task<IPAddress[]>> resolve) =>
        new(entries.Select(e => EgressRule.TryParse(e) ?? throw new ArgumentException(e)), allowAnyPublicHost: entries.Length == 0, resolve);

    private static Task<IPAddress[]> PublicResolver(string host, CancellationToken cancellationToken) =>
        Task.FromResult(new[] { IPAddress.Parse("93.184.216.34") });

    private static Task<IPAddress[]> NoResolver(string host, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"{host} must not be resolved");
}
