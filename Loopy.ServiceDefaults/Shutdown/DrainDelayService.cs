using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Loopy.ServiceDefaults.Shutdown;

/// <summary>
/// Holds the host in its "draining" state (<c>/health</c> unhealthy, still serving) for
/// <see cref="ShutdownOptions.DrainDelay"/> before the server stops listening. Runs in the host's stopping phase,
/// before any hosted service or the server is stopped.
/// </summary>
public sealed class DrainDelayService(IOptions<ShutdownOptions> options, TimeProvider time) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.DrainDelay <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.Delay(options.Value.DrainDelay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout ended the delay: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
