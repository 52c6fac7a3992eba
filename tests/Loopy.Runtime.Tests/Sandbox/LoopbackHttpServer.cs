using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Loopy.Runtime.Tests.Sandbox;

/// <summary>
/// A minimal HTTP server on 127.0.0.1 answering every request (after reading its body) with <see cref="Body"/>, or with
/// what a given responder writes; counts the requests.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    private readonly Func<string, string>? _respond;

    public LoopbackHttpServer(Func<string, string>? respond = null)
    {
        _respond = respond;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Body = $"hello from loopback {Port}";
        _loop = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string Body { get; }

    public int Requests => Volatile.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        var head = new StringBuilder();
                        var buffer = new byte[4096];
                        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var read = await stream.ReadAsync(buffer, _stop.Token);
                            if (read == 0)
                            {
                                return;
                            }

                            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                        }

                        var text = head.ToString();
                        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
                        var length = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } header
                            ? int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
                            : 0;
                        var body = new StringBuilder(text[headEnd..]);
                        while (Encoding.UTF8.GetByteCount(body.ToString()) < length)
                        {
                            var read = await stream.ReadAsync(buffer, _stop.Token);
                            if (read == 0)
                            {
                                return;
                            }

                            body.Append(Encoding.UTF8.GetString(buffer, 0, read));
                        }

                        Interlocked.Increment(ref _requests);
                        var response = _respond?.Invoke(text[..headEnd] + body)
                            ?? $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Body.Length}\r\nConnection: close\r\n\r\n{Body}";
                        await stream.WriteAsync(Encoding.UTF8.GetBytes(response), _stop.Token);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
                    {
                        // The client went away.
                    }
                }
            });
        }
    }
}
