namespace Loopy.SensorHost.Delivery;

/// <summary>The Receiver's final answer for one event: its id, and for a refusal the Receiver's status, <c>code</c> and detail.</summary>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string EventId, int Status, string? Code = null, string? Detail = null, TimeSpan? RetryAfter = null);
