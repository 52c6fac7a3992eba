using System.Runtime.Versioning;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Sandbox;
using Loopy.Runtime.Tests.Agents;
using Loopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopy.Runtime.Tests.Sandbox;

/// <summary>
/// The opencode and codex harnesses end to end in a standalone Runtime whose sandbox is <c>bwrap</c>: the real, pinned
/// CLI (<c>LOOPY_TEST_OPENCODE</c>, <c>LOOPY_TEST_CODEX</c>, read-only from <c>.loopy/tools</c>) runs unprivileged in
/// its own network namespace and reaches the loopback model mock only through the egress proxy, which allows the mock's
/// address and port (for opencode from its base URL alone, for codex from <c>network:</c>). Skipped locally when a CLI
/// or bwrap is missing; a failure under CI=true.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class CliInBwrapTests : HarnessTestBase
{
    [Fact]
    public async Task Opencode_completes_a_step_in_the_sandbox_with_the_reply_of_the_model_mock_reached_through_the_proxy()
    {
        var opencode = TestTools.Opencode;
        RequireBwrap();
        var mock = Own(await new MockAnthropicApi { Text = "The answer is 42.", InputTokens = 1000, OutputTokens = 500 }.StartAsync(Ct));
        var allowed = new Uri(mock.BaseUrl).Authority;

        // The sandbox's own allowlist does not name the mock: its address and port come from ANTHROPIC_BASE_URL.
        var project = AgentProjects.Create(AgentProjects.RealOpencodeEnv(opencode, mock), harness: "opencode", provider: "bwrap", network: ["api.example.com"]);
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, ToolBinds(opencode), Ct));

        await runtime.PublishAsync("Ask", new { q = "the question" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("ask", Ct, TimeSpan.FromSeconds(180));
        Assert.True(run.GetProperty("status").GetString() == "completed", Explain(run, runtime));
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("The answer is 42.", step.GetProperty("reply").GetString());
        Assert.Contains("claude-sonnet-4-6", mock.Models);
        Assert.All(mock.Keys, key => Assert.Equal("sk-loopy-test-key", key));
        Assert.Contains(runtime.Logs.Messages, m => m.Contains($"to {allowed} allowed", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", runtime.Logs.Messages.Where(m => m.StartsWith("Egress", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Codex_completes_a_step_in_the_sandbox_with_the_reply_of_the_model_mock_reached_through_the_proxy()
    {
        var codex = TestTools.Codex;
        RequireBwrap();
        var mock = Own(await new MockOpenAiResponsesApi { Text = "The answer is 42.", InputTokens = 1000, OutputTokens = 500 }.StartAsync(Ct));
        var allowed = new Uri(mock.BaseUrl).Authority;
        var project = AgentProjects.Create(AgentProjects.RealCodexEnv(codex, mock), harness: "codex", model: "gpt-5", provider: "bwrap", network: [allowed]);
        var runtime = Own(await RuntimeFixture.StartAsync(project, null, null, ToolBinds(codex), Ct));

        await runtime.PublishAsync("Ask", new { q = "the question" }, cancellationToken: Ct);

        var run = await runtime.WaitForTerminalRunAsync("ask", Ct, TimeSpan.FromSeconds(180));
        Assert.True(run.GetProperty("status").GetString() == "completed", Explain(run, runtime));
        var step = Assert.Single(run.GetProperty("steps").EnumerateArray());
        Assert.Equal("The answer is 42.", step.GetProperty("reply").GetString());
        Assert.Equal(["gpt-5"], mock.Models);
        Assert.Equal(["sk-loopy-test-key"], mock.Keys);
        Assert.Equal(["websocket"], mock.Transports);
        Assert.Contains(runtime.Logs.Messages, m => m.Contains($"to {allowed} allowed", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", runtime.Logs.Messages.Where(m => m.StartsWith("Egress", StringComparison.Ordinal))));
    }

    private static void RequireBwrap()
    {
        var provider = new BwrapSandboxProvider(Microsoft.Extensions.Options.Options.Create(new BwrapOptions()), NullLogger<BwrapSandboxProvider>.Instance);
        if (provider.Preflight("default", new ManifestSandbox { Provider = "bwrap" }) is { Count: > 0 } problems)
        {
            if (TestServers.IsCi)
            {
                throw new InvalidOperationException("CI=true and the bwrap sandbox is unusable: " + string.Join("; ", problems));
            }

            Assert.Skip(string.Join("; ", problems));
        }
    }

    /// <summary>The <c>node_modules</c> folder the CLI was installed into, bound read-only into the sandbox.</summary>
    private static Dictionary<string, string?> ToolBinds(string cli)
    {
        var folder = Path.GetDirectoryName(cli);
        while (folder is not null && Path.GetFileName(folder) != "node_modules")
        {
            folder = Path.GetDirectoryName(folder);
        }

        return new() { ["Loopy:Runtime:Bwrap:ReadOnlyBinds:0"] = folder ?? Path.GetDirectoryName(cli) };
    }

    private static string Explain(System.Text.Json.JsonElement run, RuntimeFixture runtime) =>
        string.Join("\n", [run.ToString(), .. runtime.Logs.Messages]);
}
