namespace Loopy.Receiver.Checkpoints;

/// <summary>The stable <c>code</c> of the checkpoint API's ProblemDetails (documented in docs/receiver-wire-format.md).</summary>
public static class CheckpointErrorCodes
{
    public const string LeaseHeld = "tick_lease_held";
    public const string NotDue = "tick_not_due";
    public const string NotHeld = "tick_not_held";
    public const string InvalidRequest = "invalid_checkpoint_request";
    public const string NotFound = "checkpoint_not_found";
}
