using Microsoft.AspNetCore.Routing;

namespace Loopy.Runtime;

/// <summary>Maps the Runtime's HTTP endpoints.</summary>
public static class RuntimeEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapLoopyRuntime(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints;
    }
}
