using Microsoft.AspNetCore.Http;

namespace Loopy.Http;

/// <summary>
/// Reads a request body into memory up to a limit. A declared <c>Content-Length</c> above the limit is refused
/// before anything is read; a body without one (chunked) is read until it passes the limit, then refused, so no
/// more than the limit plus one chunk is ever buffered.
/// </summary>
public static class BoundedBody
{
    private const int ChunkSize = 16 * 1024;

    /// <summary>Reads <paramref name="request"/>'s body, or reports <see cref="BodyRead.TooLarge"/> when it exceeds <paramref name="limit"/> bytes.</summary>
    public static Task<BodyRead> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadAsync(request.Body, request.ContentLength, limit, cancellationToken);
    }

    /// <summary>
    /// Reads <paramref name="body"/> to its end, or reports <see cref="BodyRead.TooLarge"/> as soon as
    /// <paramref name="declaredLength"/> or the bytes read exceed <paramref name="limit"/>. Cancellation throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<BodyRead> ReadAsync(Stream body, long? declaredLength, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        cancellationToken.ThrowIfCancellationRequested();
        if (declaredLength > limit)
        {
            return BodyRead.TooLarge;
        }

        // No pre-sizing from Content-Length: a client could declare the limit and send nothing.
        using var buffer = new MemoryStream();
        var chunk = new byte[(int)Math.Min(ChunkSize, limit + 1)];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return BodyRead.TooLarge;
            }

            buffer.Write(chunk, 0, read);
        }

        return BodyRead.Of(buffer.ToArray());
    }
}
