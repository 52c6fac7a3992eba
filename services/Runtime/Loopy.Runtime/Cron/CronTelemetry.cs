using System.Diagnostics.Metrics;

namespace Loopy.Runtime.Cron;

/// <summary>The cron scheduler's instruments, on the Runtime's <c>Loopy.Runtime</c> meter (shared through the meter factory, which owns it).</summary>
public sealed class CronTelemetry
{
    private readonly Counter<long> _ticks;

    public CronTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _ticks = meterFactory.Create(RuntimeTelemetry.Name).CreateCounter<long>(
            "loopy.runtime.cron_ticks",
            description: "Cron slots this replica tried to fire, by outcome: started (it started the run) or duplicate (another replica had)");
    }

    public void Tick(string workflow, bool started) =>
        _ticks.Add(1, new KeyValuePair<string, object?>("workflow", workflow), new KeyValuePair<string, object?>("outcome", started ? "started" : "duplicate"));
}
