namespace Loopy.Http;

/// <summary>
/// The outcome of <see cref="BoundedBody.ReadAsync(Microsoft.AspNetCore.Http.HttpRequest, long, CancellationToken)"/>:
/// the whole body, or the fact that it was larger than the limit (a 413, distinct from an empty body).
/// </summary>
public readonly record struct BodyRead
{
    private BodyRead(byte[]? bytes) => Bytes = bytes;

    /// <summary>A body larger than the limit; nothing of it is kept.</summary>
    public static BodyRead TooLarge { get; } = new(null);

    /// <summary>The body's bytes (possibly empty), or null when it was too large.</summary>
    public byte[]? Bytes { get; }

    /// <summary>True when the body was larger than the limit.</summary>
    public bool IsTooLarge => Bytes is null;

    public static BodyRead Of(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new BodyRead(bytes);
    }
}
