using Loopy.Runtime.Inspection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Loopy.Runtime;

/// <summary>Maps the Runtime's HTTP endpoints: the run inspection API.</summary>
public static class RuntimeEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapLoopyRuntime(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var runs = endpoints.MapGroup("/runs");
        runs.MapGet("/", RunEndpoints.ListAsync);
        runs.MapGet("/{id}", RunEndpoints.GetAsync);
        runs.MapGet("/{id}/history", RunEndpoints.HistoryAsync);
        runs.MapPost("/{id}/rerun", RunEndpoints.RerunAsync);
        runs.MapPost("/{id}/cancel", RunEndpoints.CancelAsync);
        return endpoints;
    }
}
