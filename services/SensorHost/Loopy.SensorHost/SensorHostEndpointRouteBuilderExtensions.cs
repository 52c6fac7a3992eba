using Microsoft.AspNetCore.Routing;

namespace Loopy.SensorHost;

/// <summary>Maps the SensorHost's HTTP endpoints.</summary>
public static class SensorHostEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapLoopySensorHost(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints;
    }
}
