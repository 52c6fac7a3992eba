using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loopy.Runtime;

/// <summary>The Runtime's <c>Loopy.Runtime</c> activity source and meter.</summary>
public sealed class RuntimeTelemetry : IDisposable
{
    public const string Name = "Loopy.Runtime";
    public static readonly ActivitySource ActivitySource = new(Name);
    private readonly Meter _meter;
    private readonly Counter<long> _runsStarted;
    private readonly Counter<long> _runsSucceeded;
    private readonly Counter<long> _runsFailed;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _stepDuration;

    public RuntimeTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _runsStarted = _meter.CreateCounter<long>("loopy.runtime.runs_started", description: "Runs started");
        _runsSucceeded = _meter.CreateCounter<long>("loopy.runtime.runs_succeeded", description: "Runs completed");
        _runsFailed = _meter.CreateCounter<long>("loopy.runtime.runs_failed", description: "Runs failed");
        _retries = _meter.CreateCounter<long>("loopy.runtime.step_retries", description: "Step attempts scheduled again after a transient failure");
        _stepDuration = _meter.CreateHistogram<double>("loopy.runtime.step_duration", unit: "s", description: "Duration of step attempts");
    }

    public void RunStarted(string workflow) => _runsStarted.Add(1, new KeyValuePair<string, object?>("workflow", workflow));

    public void RunSucceeded(string workflow) => _runsSucceeded.Add(1, new KeyValuePair<string, object?>("workflow", workflow));

    public void RunFailed(string workflow) => _runsFailed.Add(1, new KeyValuePair<string, object?>("workflow", workflow));

    public void Retry(string stepId) => _retries.Add(1, new KeyValuePair<string, object?>("step", stepId));

    public void StepDuration(string stepId, string outcome, TimeSpan duration) =>
        _stepDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("step", stepId), new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();
}
