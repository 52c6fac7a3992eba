using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Loopy.SensorHost;

/// <summary>
/// The SensorHost's <c>Loopy.SensorHost</c> activity source and meter. A webhook's span is a child of its request;
/// a poll tick starts a trace of its own; the Receiver continues either (HTTP trace-context propagation).
/// </summary>
public sealed class SensorHostTelemetry : IDisposable
{
    public const string Name = "Loopy.SensorHost";
    public static readonly ActivitySource ActivitySource = new(Name);
    private readonly Meter _meter;
    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _events;
    private readonly Counter<long> _ticks;

    public SensorHostTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _webhooks = _meter.CreateCounter<long>("loopy.sensorhost.webhooks", description: "Webhook requests answered, by path and status");
        _events = _meter.CreateCounter<long>("loopy.sensorhost.events", description: "Events sent to the Receiver, by event and outcome");
        _ticks = _meter.CreateCounter<long>("loopy.sensorhost.poll_ticks", description: "Poll ticks run, by sensor and outcome");
    }

    public void RecordWebhook(string path, int status) =>
        _webhooks.Add(1, new KeyValuePair<string, object?>("path", path), new KeyValuePair<string, object?>("status", status));

    public void RecordEvent(string eventName, string outcome) =>
        _events.Add(1, new KeyValuePair<string, object?>("event", eventName), new KeyValuePair<string, object?>("outcome", outcome));

    public void RecordTick(string sensor, string outcome) =>
        _ticks.Add(1, new KeyValuePair<string, object?>("sensor", sensor), new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => _meter.Dispose();
}
