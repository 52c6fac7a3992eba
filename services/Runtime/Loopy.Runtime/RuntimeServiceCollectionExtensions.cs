using Loopy.Bus;
using Loopy.Manifests;
using Loopy.Runtime.Cron;
using Loopy.Runtime.Engine;
using Loopy.Runtime.Harness;
using Loopy.Runtime.Inspection;
using Loopy.Runtime.Manifests;
using Loopy.Runtime.Sandbox;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Loopy.Runtime;

/// <summary>Registers the Runtime's services; the host and the standalone composition both call it.</summary>
public static class RuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine: the state store (Postgres when <c>ConnectionStrings:postgres</c> is set, else SQLite at
    /// <c>{Loopy:DataDirectory or &lt;content root&gt;/.loopy}/state.db</c>), the bus, the manifest from
    /// <c>Loopy:Runtime:ManifestPath</c>, the run intake, the step worker, the outbox relay and the exec harness.
    /// </summary>
    public static TBuilder AddLoopyRuntime<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<RuntimeOptions>().Bind(configuration.GetSection(RuntimeOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.AddLoopyBus(configuration);

        var provider = AddState(services, configuration, builder.Environment);
        services.TryAddSingleton(sp => new RuntimeStore(sp.GetRequiredService<IDbContextFactory<RuntimeDbContext>>(), provider));
        var sourceOptions = configuration.GetSection(ManifestSourceOptions.SectionName).Get<ManifestSourceOptions>() ?? new ManifestSourceOptions();
        services.TryAddSingleton(sp => new ManifestCatalog(
            sp.GetRequiredService<IOptions<RuntimeOptions>>(),
            sourceOptions.CreateSource(sp.GetRequiredService<IOptions<RuntimeOptions>>().Value.ManifestPath, configuration.GetConnectionString("postgres")),
            sp.GetRequiredService<RuntimeStore>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sourceOptions);
        services.TryAddSingleton<WorkflowSubscriptions>();
        services.TryAddSingleton<RuntimeTelemetry>();
        services.TryAddSingleton<RuntimeReplica>();
        services.TryAddSingleton<RuntimeReadiness>();
        services.TryAddSingleton<EngineSignals>();
        services.TryAddSingleton<StepTransitions>();
        services.TryAddSingleton<StepExecutor>();
        services.TryAddSingleton<RunIntake>();
        services.TryAddSingleton<RunPreflight>();
        services.TryAddSingleton<ManifestPreflight>();
        services.AddHttpClient(GitHubAppTokens.HttpClientName);
        services.TryAddSingleton<GitHubAppTokens>();
        services.TryAddSingleton<RunCommands>();
        services.TryAddSingleton<SandboxProviders>();
        services.TryAddSingleton<SandboxLauncher>();
        services.TryAddSingleton<PriceTable>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxProvider, LocalSandboxProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentHarness, ExecHarness>());
        services.AddOptions<BwrapOptions>().Bind(configuration.GetSection(BwrapOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxProvider, BwrapSandboxProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxProvider, DockerSandboxProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISandboxProvider, DaytonaSandboxProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentHarness, ClaudeCodeHarness>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentHarness, CodexHarness>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentHarness, OpencodeHarness>());

        // Start-up first (schema, manifest, subscriptions); the loops wait for it.
        services.AddHostedService<RuntimeStartup>();
        services.AddHostedService<StepWorker>();
        services.AddHostedService<ManifestWatcher>();
        services.AddHostedService<OutboxRelay>();
        services.TryAddSingleton<CronTelemetry>();
        services.AddHostedService<CronScheduler>();
        services.AddHealthChecks().AddCheck<RuntimeHealthCheck>("runtime", HealthStatus.Unhealthy, ["ready"]);
        return builder;
    }

    private static StateProvider AddState(IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration.GetConnectionString("postgres") is { Length: > 0 } postgres)
        {
            services.AddDbContextFactory<RuntimeDbContext>(o => o.UseNpgsql(postgres));
            return StateProvider.Postgres;
        }

        var directory = configuration["Loopy:DataDirectory"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment.ContentRootPath, ".loopy");
        var path = Path.GetFullPath(Path.Combine(directory, "state.db"));
        services.AddDbContextFactory<RuntimeDbContext>(o => o.UseSqlite($"Data Source={path};Default Timeout=30"));
        return StateProvider.Sqlite;
    }
}
