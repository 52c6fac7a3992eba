namespace Loopy.Runtime.Tests.Agents;

/// <summary>What the harness tests share: the test's cancellation token and the mocks and runtimes a test owns, disposed last-first.</summary>
public abstract class HarnessTestBase : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Disposes <paramref name="disposable"/> when the test ends.</summary>
    protected T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
