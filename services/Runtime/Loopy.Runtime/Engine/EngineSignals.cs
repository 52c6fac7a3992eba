namespace Loopy.Runtime.Engine;

/// <summary>The signals of this replica's loops.</summary>
public sealed class EngineSignals : IDisposable
{
    public WorkSignal Steps { get; } = new();

    public WorkSignal Outbox { get; } = new();

    public void Dispose()
    {
        Steps.Dispose();
        Outbox.Dispose();
    }
}
