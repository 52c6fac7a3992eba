using Microsoft.AspNetCore.Routing;

namespace Loopy.Receiver;

/// <summary>Maps the Receiver's HTTP endpoints.</summary>
public static class ReceiverEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapLoopyReceiver(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints;
    }
}
