namespace Loopy.Runtime.Engine;

/// <summary>Completes once the schema exists, the manifest is loaded and the subscriptions run; loops wait on it.</summary>
public sealed class RuntimeReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public void MarkReady() => _ready.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);
}
