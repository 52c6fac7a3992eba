namespace Loopy.Receiver.Checkpoints;

/// <summary>The outcome of a tick claim.</summary>
public enum TickClaimStatus
{
    Claimed,
    LeaseHeld,
    NotDue,
}
