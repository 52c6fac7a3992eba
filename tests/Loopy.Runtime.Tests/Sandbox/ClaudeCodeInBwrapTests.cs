using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using Loopy.Contracts.Manifest;
using Loopy.Runtime.Sandbox;
using Loopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopy.Runtime.Tests.Sandbox;

/// <summary>
/// The real Claude Code CLI (<c>LOOPY_TEST_CLAUDE</c>, installed by <c>eng/tools.sh</c>) inside the bwrap sandbox,
/// reaching a loopback mock of the model API only through the egress proxy. Skipped locally when the CLI or bwrap
/// is missing; a failure under CI=true.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ClaudeCodeInBwrapTests : IAsyncDisposable
{
    private const string Events = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-6","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"pong from the mock"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}

        event: message_stop
        data: {"type":"message_stop"}


        """;

    private readonly string _project = Directory.CreateTempSubdirectory("loopy-bwrap-claude-").FullName;
    private readonly LoopbackHttpServer _model = new(_ => "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n" + Events.ReplaceLineEndings("\n"));

    [Fact]
    public async Task Claude_code_runs_unprivileged_in_the_sandbox_and_reaches_the_model_mock_through_the_proxy()
    {
        var ct = TestContext.Current.CancellationToken;
        var claude = Environment.GetEnvironmentVariable("LOOPY_TEST_CLAUDE");
        if (string.IsNullOrEmpty(claude) || !File.Exists(claude))
        {
            const string reason = "LOOPY_TEST_CLAUDE is not set to the claude CLI (run eng/tools.sh install; eval \"$(eng/tools.sh env)\")";
            if (TestServers.IsCi)
            {
                throw new InvalidOperationException("CI=true and " + reason);
            }

            Assert.Skip(reason);
        }

        var provider = new BwrapSandboxProvider(Microsoft.Extensions.Options.Options.Create(new BwrapOptions()), NullLogger<BwrapSandboxProvider>.Instance);
        var sandbox = new ManifestSandbox { Provider = "bwrap", Network = ["api.example.com"] };
        if (provider.Preflight("box", sandbox) is { Count: > 0 } problems)
        {
            if (TestServers.IsCi)
            {
                throw new InvalidOperationException("CI=true and the bwrap sandbox is unusable: " + string.Join("; ", problems));
            }

            Assert.Skip(string.Join("; ", problems));
        }

        await using var session = await provider.AcquireAsync(
            new SandboxRequest("run-1", "wf/claude", 1, _project, "box", sandbox, [$"127.0.0.1:{_model.Port}"]), ct);
        var env = new Dictionary<string, string>(session.Environment)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = session.Home,
            ["ANTHROPIC_BASE_URL"] = $"http://127.0.0.1:{_model.Port}",
            ["ANTHROPIC_API_KEY"] = "sk-test",
            ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
            ["DISABLE_TELEMETRY"] = "1",
        };
        var start = session.CreateStartInfo(
            [claude, "-p", "ping", "--output-format", "json", "--model", "claude-sonnet-4-6", "--permission-mode", "bypassPermissions"], env);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(deadline.Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"exit {process.ExitCode}\n{await stdout}\n{await stderr}");

        Assert.Equal(0, process.ExitCode);
        using var envelope = JsonDocument.Parse(await stdout);
        Assert.Equal("pong from the mock", envelope.RootElement.GetProperty("result").GetString());
        Assert.True(_model.Requests >= 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _model.DisposeAsync();
        Directory.Delete(_project, recursive: true);
    }
}
