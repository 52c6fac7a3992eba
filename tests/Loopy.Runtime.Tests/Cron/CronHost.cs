using Loopy.Runtime.Cron;
using Loopy.Runtime.State;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Loopy.Runtime.Tests.Cron;

/// <summary>
/// One Runtime replica (the real host in memory) on a shared fake clock, over SQLite in a given data folder or
/// a given Postgres database, with the in-process bus. Disposing it stops the replica; a new one on the same
/// folder or database is the same deployment restarted.
/// </summary>
public sealed class CronHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private CronHost(WebApplicationFactory<Program> factory) => _factory = factory;

    public IServiceProvider Services => _factory.Services;

    /// <summary>This replica's cron scheduler.</summary>
    public CronScheduler Scheduler => Services.GetServices<IHostedService>().OfType<CronScheduler>().Single();

    /// <summary>Starts a replica and waits until its cron scheduler has made its first pass (it then knows its start time).</summary>
    public static async Task<CronHost> StartAsync(string projectRoot, string dataDirectory, string? postgres, FakeTimeProvider clock, IDictionary<string, string?>? settings, CancellationToken cancellationToken)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:postgres", postgres ?? string.Empty);
            web.UseSetting("ConnectionStrings:rabbitmq", string.Empty);
            web.UseSetting("ConnectionStrings:redis", string.Empty);
            web.UseSetting("Loopy:DataDirectory", dataDirectory);
            foreach (var (key, value) in RuntimeFixture.DefaultSettings(projectRoot))
            {
                web.UseSetting(key, value);
            }

            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                web.UseSetting(key, value);
            }

            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        });
        var host = new CronHost(factory);
        try
        {
            _ = host.Services; // starts the host: schema, manifest, loops
            await Wait.UntilAsync(() => Task.FromResult(host.Scheduler.LastPassAt is not null), TimeSpan.FromSeconds(60), "the cron scheduler's first pass", cancellationToken);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task<RunRecord[]> RunsAsync(string workflow, CancellationToken cancellationToken)
    {
        await using var db = await Services.GetRequiredService<RuntimeStore>().OpenAsync(cancellationToken);
        return await db.Runs.AsNoTracking().Where(r => r.Workflow == workflow).OrderBy(r => r.EventId).ToArrayAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
