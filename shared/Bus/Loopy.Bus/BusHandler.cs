namespace Loopy.Bus;

/// <summary>
/// Handles one delivery. Completing acknowledges it; throwing leads to redelivery (and, after the
/// last attempt, to the dead letter). The token is cancelled when the subscription is disposed.
/// </summary>
public delegate Task BusHandler(BusDelivery delivery, CancellationToken cancellationToken);
