using Loopy.Contracts.Messages;

namespace Loopy.Bus;

/// <summary>One delivery of a message to a workflow's consumer.</summary>
/// <param name="Message">The event.</param>
/// <param name="Workflow">The workflow it is delivered to.</param>
/// <param name="Attempt">1 for the first delivery, counting redeliveries after failures and consumer deaths.</param>
public sealed record BusDelivery(EventAccepted Message, string Workflow, int Attempt);
