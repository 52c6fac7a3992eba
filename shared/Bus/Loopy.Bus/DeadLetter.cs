using Loopy.Contracts.Messages;

namespace Loopy.Bus;

/// <summary>A message a workflow gave up on after its attempts ran out.</summary>
/// <param name="Message">The event.</param>
/// <param name="Workflow">The workflow that could not handle it.</param>
/// <param name="Attempts">How many attempts were made.</param>
/// <param name="Reason">Why: the last exception's type and message, or the delivery limit.</param>
public sealed record DeadLetter(EventAccepted Message, string Workflow, int Attempts, string Reason);
