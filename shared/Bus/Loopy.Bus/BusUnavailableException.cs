namespace Loopy.Bus;

/// <summary>The broker did not durably accept a message in time (down, unreachable, or overloaded).</summary>
public sealed class BusUnavailableException : Exception
{
    public BusUnavailableException()
    {
    }

    public BusUnavailableException(string message)
        : base(message)
    {
    }

    public BusUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
