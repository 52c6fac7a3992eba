using Loopy.Receiver.Checkpoints;
using Loopy.Receiver.Ingress;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Loopy.Receiver;

/// <summary>Maps the Receiver's HTTP endpoints: <c>POST /events</c> and its OpenAPI description.</summary>
public static class ReceiverEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapLoopyReceiver(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapOpenApi("/openapi/{documentName}.json");
        endpoints.MapPost("/events", EventsEndpoint.HandleAsync)
            .WithName("PostEvents")
            .WithSummary("Submit one event (a JSON object) or a batch (a JSON array)")
            .WithDescription("""
                Body: {"id"?: string, "name": string, "fields": object, "occurred_at"?: RFC 3339}, or an array of them.
                Auth: Authorization: Bearer <secret>, or Standard Webhooks headers webhook-id, webhook-timestamp,
                webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>). 202 accepted (durably on the bus),
                200 a retry of an accepted id, 207 a batch (one result per item), 400/401/403/409/413/415/429 a
                ProblemDetails with a stable "code", 503 with Retry-After when the bus or the database is down.
                """)
            .Produces(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status207MultiStatus)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();

        // Poll-sensor checkpoints for producers (watermarks and tick leases); see CheckpointsEndpoint.
        var sensors = endpoints.MapGroup("/sensors/{name}").DisableAntiforgery();
        sensors.MapPost("/ticks/claim", CheckpointsEndpoint.ClaimAsync).WithName("ClaimSensorTick");
        sensors.MapPost("/ticks/{tickId}/complete", CheckpointsEndpoint.CompleteAsync).WithName("CompleteSensorTick");
        sensors.MapPost("/ticks/{tickId}/release", CheckpointsEndpoint.ReleaseAsync).WithName("ReleaseSensorTick");
        sensors.MapGet("/checkpoint", CheckpointsEndpoint.GetAsync).WithName("GetSensorCheckpoint");
        return endpoints;
    }
}
