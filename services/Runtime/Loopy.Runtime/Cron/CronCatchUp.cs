namespace Loopy.Runtime.Cron;

/// <summary>What a cron schedule fires for the slots that passed while no replica was running (<see cref="RuntimeOptions.CronCatchUp"/>).</summary>
public enum CronCatchUp
{
    /// <summary>Fire the most recent missed slot once; older missed slots are skipped (the default).</summary>
    Latest,

    /// <summary>Fire every missed slot, oldest first, up to <see cref="RuntimeOptions.CronMaxCatchUp"/> of them.</summary>
    All,
}
