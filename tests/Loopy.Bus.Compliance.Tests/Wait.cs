using System.Diagnostics;

namespace Loopy.Bus.Compliance.Tests;

/// <summary>Waiting on the thing itself, with a deadline that fails instead of hanging.</summary>
internal static class Wait
{
    public static async Task<T> ForAsync<T>(Task<T> task, TimeSpan deadline, string what)
    {
        try
        {
            return await task.WaitAsync(deadline, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out after {deadline.TotalSeconds:0} s waiting for {what}.");
            throw;
        }
    }

    public static async Task ForAsync(Task task, TimeSpan deadline, string what)
    {
        try
        {
            await task.WaitAsync(deadline, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Timed out after {deadline.TotalSeconds:0} s waiting for {what}.");
            throw;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="what"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var clock = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(5);
        while (!await condition())
        {
            if (clock.Elapsed > deadline)
            {
                Assert.Fail($"Timed out after {deadline.TotalSeconds:0} s waiting for {what}.");
            }

            // A poll interval, not a wait for an outcome: the condition decides.
            await Task.Delay(pause, TestContext.Current.CancellationToken);
            pause = TimeSpan.FromMilliseconds(Math.Min(200, pause.TotalMilliseconds * 2));
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan deadline, string what) =>
        UntilAsync(() => Task.FromResult(condition()), deadline, what);
}
