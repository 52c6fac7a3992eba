using System.Diagnostics;
using System.Diagnostics.Metrics;
using Loopy.Receiver.Ingress;

namespace Loopy.Receiver;

/// <summary>The Receiver's <c>Loopy.Receiver</c> activity source and meter.</summary>
public sealed class ReceiverTelemetry : IDisposable
{
    public const string Name = "Loopy.Receiver";
    public static readonly ActivitySource ActivitySource = new(Name);
    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;

    public ReceiverTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _accepted = _meter.CreateCounter<long>("loopy.receiver.events_accepted", description: "Events accepted and published (202)");
        _rejected = _meter.CreateCounter<long>("loopy.receiver.events_rejected", description: "Events refused, by reason code");
    }

    public void Record(IngressResult result, string eventName)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status == 202)
        {
            _accepted.Add(1, new KeyValuePair<string, object?>("event", eventName));
        }
        else if (!result.IsSuccess)
        {
            RecordRejection(result.Code ?? "unknown");
        }
    }

    public void RecordRejection(string code) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", code));

    public void Dispose() => _meter.Dispose();
}
