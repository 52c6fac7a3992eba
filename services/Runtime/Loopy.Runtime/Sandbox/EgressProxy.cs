using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Loopy.Runtime.Sandbox;

/// <summary>
/// The allowlisting HTTP proxy of one sandbox attempt, listening on a Unix socket that is bind-mounted into the
/// sandbox (the sandbox has no other route out). It serves <c>CONNECT host:port</c> (tunnels, for HTTPS) and
/// absolute-form plain HTTP requests (<c>GET http://host/path</c>, forwarded with <c>Connection: close</c>); each
/// decision follows the <see cref="EgressPolicy"/> and is logged with the run and step ids. Anything refused gets a
/// <c>403</c>; a request that is not proxy-shaped gets a <c>400</c>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class EgressProxy : IAsyncDisposable
{
    private const int MaxHeadBytes = 32 * 1024;
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _listener;
    private readonly EgressPolicy _policy;
    private readonly string _runId;
    private readonly string _stepId;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentDictionary<long, Task> _active = new();
    private long _nextConnection;

    private EgressProxy(Socket listener, string socketPath, EgressPolicy policy, string runId, string stepId, ILogger logger)
    {
        _listener = listener;
        SocketPath = socketPath;
        _policy = policy;
        _runId = runId;
        _stepId = stepId;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The Unix socket the proxy listens on.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Starts a proxy on <paramref name="socketPath"/> (created here; a stale file is replaced). The socket is made
    /// connectable by every user (the agent runs unprivileged); its folder decides who can replace it.
    /// </summary>
    public static EgressProxy Start(string socketPath, EgressPolicy policy, string runId, string stepId, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(logger);
        File.Delete(socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            File.SetUnixFileMode(socketPath, (UnixFileMode)0b110_110_110);
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new EgressProxy(listener, socketPath, policy, runId, stepId, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        // Connections observe the token and close their sockets.
        await Task.WhenAll(_active.Values).ConfigureAwait(false);

        _stopping.Dispose();
        File.Delete(SocketPath);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var id = Interlocked.Increment(ref _nextConnection);
            _active[id] = Task.Run(async () =>
            {
                try
                {
                    await HandleAsync(client, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A bug in one connection must not take the proxy down; the connection is closed.
                    EgressLog.ConnectionEnded(_logger, _runId, _stepId, ex);
                }
                finally
                {
                    client.Dispose();
                    _active.TryRemove(id, out _);
                }
            });
        }
    }

    private async Task HandleAsync(Socket client, CancellationToken stopping)
    {
        using var clientStream = new NetworkStream(client, ownsSocket: false);
        try
        {
            var (head, rest) = await ReadHeadAsync(clientStream, stopping).ConfigureAwait(false);
            if (head is null)
            {
                return;
            }

            var lines = Encoding.Latin1.GetString(head).Split("\r\n");
            var parts = lines[0].Split(' ');
            if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                await RefuseAsync(clientStream, 400, "malformed request line", stopping).ConfigureAwait(false);
                return;
            }

            if (parts[0] == "CONNECT")
            {
                await ConnectAsync(clientStream, client, parts[1], rest, stopping).ConfigureAwait(false);
            }
            else if (Uri.TryCreate(parts[1], UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp)
            {
                await ForwardAsync(clientStream, client, parts, lines, uri, rest, stopping).ConfigureAwait(false);
            }
            else
            {
                await RefuseAsync(clientStream, 400, "only CONNECT and absolute-form http:// requests are proxied", stopping).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            EgressLog.ConnectionEnded(_logger, _runId, _stepId, ex);
        }
    }

    private async Task ConnectAsync(NetworkStream clientStream, Socket client, string authority, byte[] rest, CancellationToken stopping)
    {
        if (!TrySplitAuthority(authority, out var host, out var port))
        {
            await RefuseAsync(clientStream, 400, "CONNECT needs host:port", stopping).ConfigureAwait(false);
            return;
        }

        using var upstream = await OpenUpstreamAsync(clientStream, host, port, stopping).ConfigureAwait(false);
        if (upstream is null)
        {
            return;
        }

        await clientStream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), stopping).ConfigureAwait(false);
        await PipeAsync(client, upstream, rest, stopping).ConfigureAwait(false);
    }

    private async Task ForwardAsync(NetworkStream clientStream, Socket client, string[] requestLine, string[] lines, Uri uri, byte[] rest, CancellationToken stopping)
    {
        using var upstream = await OpenUpstreamAsync(clientStream, uri.IdnHost, uri.Port, stopping).ConfigureAwait(false);
        if (upstream is null)
        {
            return;
        }

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"{requestLine[0]} {uri.PathAndQuery} {requestLine[2]}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Host: {uri.Authority}\r\n");
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var name = line.Split(':', 2)[0].Trim();
            if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                && !name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(line).Append("\r\n");
            }
        }

        head.Append("Connection: close\r\n\r\n");
        using (var upstreamStream = new NetworkStream(upstream, ownsSocket: false))
        {
            await upstreamStream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), stopping).ConfigureAwait(false);
        }

        await PipeAsync(client, upstream, rest, stopping).ConfigureAwait(false);
    }

    /// <summary>Decides, logs and connects; on refusal answers the client and returns null.</summary>
    private async Task<Socket?> OpenUpstreamAsync(NetworkStream clientStream, string host, int port, CancellationToken stopping)
    {
        var decision = await _policy.DecideAsync(host, port, stopping).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            EgressLog.Denied(_logger, _runId, _stepId, host, port, decision.Reason);
            await RefuseAsync(clientStream, 403, $"{host}:{port} is not allowed ({decision.Reason})", stopping).ConfigureAwait(false);
            return null;
        }

        Exception? last = null;
        foreach (var address in decision.Addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(ConnectTimeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), timeout.Token).ConfigureAwait(false);
                EgressLog.Allowed(_logger, _runId, _stepId, host, port, decision.Reason, address);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !stopping.IsCancellationRequested))
            {
                socket.Dispose();
                last = ex;
            }
        }

        EgressLog.UpstreamFailed(_logger, _runId, _stepId, host, port, last);
        await RefuseAsync(clientStream, 502, $"{host}:{port} is allowed but cannot be reached", stopping).ConfigureAwait(false);
        return null;
    }

    private static async Task PipeAsync(Socket client, Socket upstream, byte[] rest, CancellationToken stopping)
    {
        using var clientStream = new NetworkStream(client, ownsSocket: false);
        using var upstreamStream = new NetworkStream(upstream, ownsSocket: false);
        if (rest.Length > 0)
        {
            await upstreamStream.WriteAsync(rest, stopping).ConfigureAwait(false);
        }

        var up = CopyAsync(clientStream, upstream, stopping);
        var down = CopyAsync(upstreamStream, client, stopping);
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    /// <summary>Copies until the source ends, then half-closes the destination so the other side sees the end.</summary>
    private static async Task CopyAsync(NetworkStream source, Socket destination, CancellationToken stopping)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, stopping).ConfigureAwait(false)) > 0)
            {
                await destination.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stopping).ConfigureAwait(false);
            }

            destination.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // One side went away: end both directions.
            try
            {
                destination.Shutdown(SocketShutdown.Both);
            }
            catch (Exception shutdown) when (shutdown is SocketException or ObjectDisposedException)
            {
                // Already closed.
            }
        }
    }

    private async Task RefuseAsync(NetworkStream clientStream, int status, string reason, CancellationToken stopping)
    {
        if (status == 400)
        {
            EgressLog.Malformed(_logger, _runId, _stepId, reason);
        }

        var phrase = status switch { 400 => "Bad Request", 403 => "Forbidden", _ => "Bad Gateway" };
        var body = $"loopy egress proxy: {reason}\n";
        var response = $"HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await clientStream.WriteAsync(Encoding.UTF8.GetBytes(response), stopping).ConfigureAwait(false);
    }

    /// <summary>Reads up to the blank line ending the request head; returns the head and any bytes read after it.</summary>
    private static async Task<(byte[]? Head, byte[] Remainder)> ReadHeadAsync(NetworkStream stream, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(HeadTimeout);
        var buffer = new byte[MaxHeadBytes];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return (null, []);
            }

            var searchFrom = Math.Max(0, filled - HeadEnd.Length);
            filled += read;
            var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf(HeadEnd);
            if (end >= 0)
            {
                end += searchFrom;
                return (buffer[..end], buffer[(end + HeadEnd.Length)..filled]);
            }
        }

        return (null, []);
    }

    private static bool TrySplitAuthority(string authority, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = authority.LastIndexOf(':');
        if (colon <= 0 || (authority.Contains(':', StringComparison.Ordinal) && authority.IndexOf(':', StringComparison.Ordinal) != colon && !authority.StartsWith('[')))
        {
            return false;
        }

        host = authority[..colon];
        return int.TryParse(authority.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
