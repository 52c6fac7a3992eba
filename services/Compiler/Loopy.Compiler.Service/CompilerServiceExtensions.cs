using System.Text.Json;
using Loopy.Manifests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Loopy.Compiler.Service;

/// <summary>Registers and maps the Compiler service; its host calls these and nothing else.</summary>
public static class CompilerServiceExtensions
{
    /// <summary>Adds the project watcher and the version store (<c>ConnectionStrings:postgres</c> is required).</summary>
    public static TBuilder AddLoopyCompilerService<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CompilerServiceOptions>().Bind(builder.Configuration.GetSection(CompilerServiceOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CompileStatus>();
        var postgres = builder.Configuration.GetConnectionString("postgres");
        services.TryAddSingleton(_ => new ManifestVersionStore(
            postgres is { Length: > 0 } ? postgres : throw new InvalidOperationException("the Compiler service needs ConnectionStrings:postgres")));
        services.AddHostedService<ProjectWatcher>();
        services.AddHealthChecks().AddCheck<CompiledHealthCheck>("compiler", HealthStatus.Unhealthy, ["ready"]);
        return builder;
    }

    /// <summary>Maps <c>GET /manifest</c>: the active version, the last compile with its diagnostics, and the stored versions.</summary>
    public static IEndpointRouteBuilder MapLoopyCompilerService(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/manifest", async (CompileStatus status, ManifestVersionStore store, CancellationToken cancellationToken) =>
        {
            var (last, active) = status.Snapshot();
            var versions = await store.ListAsync(cancellationToken);
            return Results.Json(new { active, last_compile = last, versions }, JsonOptions);
        });
        return endpoints;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private sealed class CompiledHealthCheck(CompileStatus status) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(status.Snapshot() switch
            {
                (_, { } hash) => HealthCheckResult.Healthy($"active manifest {hash}"),
                ({ Succeeded: false } last, null) => HealthCheckResult.Unhealthy($"the project does not compile ({last.Diagnostics.Count(d => d.Severity == "error")} errors) and no version is active"),
                _ => HealthCheckResult.Unhealthy("no manifest version activated yet"),
            });
    }
}
