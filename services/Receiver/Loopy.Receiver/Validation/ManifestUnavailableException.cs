namespace Loopy.Receiver.Validation;

/// <summary>No manifest can be loaded, so no event can be validated: the Receiver answers 503.</summary>
public sealed class ManifestUnavailableException : Exception
{
    public ManifestUnavailableException()
    {
    }

    public ManifestUnavailableException(string message)
        : base(message)
    {
    }

    public ManifestUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
