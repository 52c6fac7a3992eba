namespace Loopy.AppHost;

/// <summary>A start-up problem the AppHost reports in one line, without a stack trace.</summary>
public sealed class LauncherException : Exception
{
    public LauncherException()
    {
    }

    public LauncherException(string message)
        : base(message)
    {
    }

    public LauncherException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
