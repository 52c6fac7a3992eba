using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loopy.Http.Tests;

/// <summary>
/// <see cref="BoundedBody"/> behind a real Kestrel on loopback: the endpoint echoes the body it read (with whether
/// the request declared a length), or answers 413 when the reader reports it too large.
/// </summary>
public sealed class BoundedBodyTests : IAsyncLifetime
{
    private const int Limit = 100;
    private WebApplication? _app;
    private HttpClient? _http;

    private HttpClient Http => _http ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/read", async (HttpContext context, CancellationToken cancellationToken) =>
        {
            var declared = context.Request.ContentLength is null ? "none" : "declared";
            var read = await BoundedBody.ReadAsync(context.Request, Limit, cancellationToken);
            context.Response.Headers["X-Content-Length"] = declared;
            return read.IsTooLarge ? Results.StatusCode(413) : Results.Bytes(read.Bytes!, "application/octet-stream");
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_read_whole()
    {
        var body = Bytes(Limit);
        using var response = await PostAsync(new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_body_one_byte_over_the_limit_is_too_large()
    {
        using var response = await PostAsync(new ByteArrayContent(Bytes(Limit + 1)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("declared", response.Headers.GetValues("X-Content-Length").Single());
    }

    [Fact]
    public async Task An_empty_body_is_read_as_empty_not_too_large()
    {
        using var response = await PostAsync(new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_chunked_body_within_the_limit_is_read_whole()
    {
        var body = Bytes(Limit);
        using var response = await PostAsync(new ChunkedContent(body, chunk: 30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("none", response.Headers.GetValues("X-Content-Length").Single());
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_chunked_body_without_Content_Length_that_passes_the_limit_is_too_large()
    {
        using var response = await PostAsync(new ChunkedContent(Bytes(Limit + 1), chunk: 30));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("none", response.Headers.GetValues("X-Content-Length").Single());
    }

    [Fact]
    public async Task A_declared_length_over_the_limit_is_refused_before_reading()
    {
        // The stream would hang if read: the declared length alone decides.
        var pipe = new Pipe();
        var read = await BoundedBody.ReadAsync(pipe.Reader.AsStream(), Limit + 1, Limit, TestContext.Current.CancellationToken);
        Assert.True(read.IsTooLarge);
        Assert.Null(read.Bytes);
    }

    [Fact]
    public async Task Cancellation_while_waiting_for_the_body_throws_OperationCanceledException()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Bytes(10), TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        var reading = BoundedBody.ReadAsync(pipe.Reader.AsStream(), null, Limit, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    [Fact]
    public async Task An_already_cancelled_token_reads_nothing()
    {
        var stream = new MemoryStream(Bytes(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BoundedBody.ReadAsync(stream, 10, Limit, new CancellationToken(canceled: true)));
        Assert.Equal(0, stream.Position);
    }

    private async Task<HttpResponseMessage> PostAsync(HttpContent content)
    {
        using (content)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return await Http.PostAsync(new Uri("/read", UriKind.Relative), content, TestContext.Current.CancellationToken);
        }
    }

    private static byte[] Bytes(int count) => [.. Enumerable.Range(0, count).Select(i => (byte)('a' + (i % 26)))];

    /// <summary>A body with no length, so HttpClient sends it with <c>Transfer-Encoding: chunked</c>, in several writes.</summary>
    private sealed class ChunkedContent(byte[] body, int chunk) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < body.Length; offset += chunk)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(chunk, body.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
