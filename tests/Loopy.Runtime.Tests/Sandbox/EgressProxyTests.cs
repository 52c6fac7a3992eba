using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Loopy.Runtime.Sandbox;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Tests.Sandbox;

[SupportedOSPlatform("linux")]
public sealed class EgressProxyTests : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loopy-egress-").FullName;
    private readonly LoopbackHttpServer _allowed = new();
    private readonly LoopbackHttpServer _other = new();
    private readonly CapturedLogger<EgressProxyTests> _log = new();

    [Fact]
    public async Task Tunnels_a_connect_to_an_allowlisted_port_and_logs_the_decision_with_the_ids()
    {
        await using var proxy = Start($"127.0.0.1:{_allowed.Port}");

        var response = await SendAsync(proxy, $"CONNECT 127.0.0.1:{_allowed.Port} HTTP/1.1\r\nHost: 127.0.0.1:{_allowed.Port}\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 Connection Established\r\n\r\nHTTP/1.1 200 OK", response, StringComparison.Ordinal);
        Assert.EndsWith(_allowed.Body, response, StringComparison.Ordinal);
        var entry = Assert.Single(_log.Entries, e => e.Message.Contains("allowed", StringComparison.Ordinal));
        Assert.Equal("run-1", entry.State["RunId"]);
        Assert.Equal("wf/step", entry.State["StepId"]);
    }

    [Fact]
    public async Task Forwards_an_absolute_form_http_request()
    {
        await using var proxy = Start($"127.0.0.1:{_allowed.Port}");

        var response = await SendAsync(proxy, $"GET http://127.0.0.1:{_allowed.Port}/x?y=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Connection: keep-alive\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK", response, StringComparison.Ordinal);
        Assert.EndsWith(_allowed.Body, response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_403_for_a_port_not_on_the_list_and_never_connects()
    {
        await using var proxy = Start($"127.0.0.1:{_allowed.Port}");

        var connect = await SendAsync(proxy, $"CONNECT 127.0.0.1:{_other.Port} HTTP/1.1\r\n\r\n");
        var plain = await SendAsync(proxy, $"GET http://localhost:{_other.Port}/ HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403 Forbidden", connect, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 403 Forbidden", plain, StringComparison.Ordinal);
        Assert.Equal(0, _other.Requests);
        var denied = _log.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("denied", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, denied.Count);
        Assert.All(denied, e => Assert.Equal("run-1", e.State["RunId"]));
    }

    [Fact]
    public async Task Answers_400_to_a_request_that_is_not_proxy_shaped()
    {
        await using var proxy = Start($"127.0.0.1:{_allowed.Port}");

        var response = await SendAsync(proxy, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request", response, StringComparison.Ordinal);
        Assert.Equal(0, _allowed.Requests);
    }

    [Fact]
    public async Task Refuses_a_name_that_resolves_to_loopback_even_when_it_is_allowlisted()
    {
        // The name is on the list, but it resolves (as a rebinding attack would) to the host's loopback.
        var policy = new EgressPolicy([EgressRule.TryParse($"rebind.example.com:{_allowed.Port}")!], allowAnyPublicHost: false,
            (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        await using var proxy = EgressProxy.Start(Path.Combine(_folder, "egress.sock"), policy, "run-1", "wf/step", _log);

        var response = await SendAsync(proxy, $"CONNECT rebind.example.com:{_allowed.Port} HTTP/1.1\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 403 Forbidden", response, StringComparison.Ordinal);
        Assert.Contains("non-public", response, StringComparison.Ordinal);
        Assert.Equal(0, _allowed.Requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _allowed.DisposeAsync();
        await _other.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private EgressProxy Start(params string[] entries) =>
        EgressProxy.Start(
            Path.Combine(_folder, "egress.sock"),
            new EgressPolicy(entries.Select(e => EgressRule.TryParse(e)!), allowAnyPublicHost: false),
            "run-1",
            "wf/step",
            _log);

    private static async Task<string> SendAsync(EgressProxy proxy, string request)
    {
        var ct = TestContext.Current.CancellationToken;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(proxy.SocketPath), ct);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(ct);
    }
}
