namespace Loopy.Contracts.Manifest;

/// <summary>A manifest that cannot be read: invalid JSON, a missing key, or another <c>schema_version</c>.</summary>
public sealed class ManifestFormatException : Exception
{
    public ManifestFormatException()
    {
    }

    public ManifestFormatException(string message)
        : base(message)
    {
    }

    public ManifestFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
