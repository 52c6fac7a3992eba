namespace Loopy.SensorHost.Delivery;

/// <summary>How the Receiver answered an event in the end.</summary>
public enum DeliveryOutcome
{
    /// <summary>202, or 200 for a retry of an id it had already accepted.</summary>
    Accepted,

    /// <summary>A 4xx other than 429: the event (or this producer) is refused; retrying will not help.</summary>
    Rejected,

    /// <summary>429/5xx or no connection on every attempt: try again later.</summary>
    Unavailable,
}
