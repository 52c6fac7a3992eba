namespace Loopy.SensorHost.Exec;

/// <summary>A sensor's program failed (non-zero exit, timeout, a bad line, a wrong event name): its whole invocation is discarded.</summary>
public sealed class SensorFailedException : Exception
{
    public SensorFailedException()
    {
    }

    public SensorFailedException(string message)
        : base(message)
    {
    }

    public SensorFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
