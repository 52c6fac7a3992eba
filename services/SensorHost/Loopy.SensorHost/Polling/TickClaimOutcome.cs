namespace Loopy.SensorHost.Polling;

/// <summary>How the Receiver's checkpoint API answered a claim.</summary>
public enum TickClaimOutcome
{
    /// <summary>This replica holds the tick's lease and runs it.</summary>
    Claimed,

    /// <summary>The sensor's last window ended less than an interval ago.</summary>
    NotDue,

    /// <summary>Another replica holds an unexpired lease.</summary>
    Held,

    /// <summary>The checkpoint API could not be reached or answered 429/5xx.</summary>
    Unavailable,
}
