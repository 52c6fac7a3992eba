using System.Data.Common;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Loopy.Bus;
using Loopy.Contracts.Messages;
using Loopy.Receiver.Dedupe;
using Loopy.Receiver.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Receiver.Ingress;

/// <summary>
/// The gate for one event: the producer may send it, it matches its contract, it is recorded and
/// published durably (see <see cref="IngressStore"/> for the ordering), and a retry of an accepted id
/// is answered from the record without a second publish.
/// </summary>
public sealed class EventIngress(
    ManifestContracts manifest,
    IngressStore store,
    IEventBus bus,
    BusTopology topology,
    TimeProvider time,
    IOptions<ReceiverOptions> options,
    ReceiverTelemetry telemetry,
    ILogger<EventIngress> logger)
{
    public async Task<IngressResult> AcceptAsync(EventEnvelope envelope, ProducerOptions producer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(producer);
        var result = await DecideAsync(envelope, producer, cancellationToken);
        telemetry.Record(result, envelope.Name);
        if (result.Status == 202)
        {
            ReceiverLog.EventAccepted(logger, result.EventId!, envelope.Name, producer.Name);
        }
        else if (!result.IsSuccess)
        {
            ReceiverLog.EventRejected(logger, envelope.Name, producer.Name, result.Status, result.Code!);
        }

        return result;
    }

    private async Task<IngressResult> DecideAsync(EventEnvelope envelope, ProducerOptions producer, CancellationToken cancellationToken)
    {
        if (!producer.MaySend(envelope.Name))
        {
            return IngressResult.Refused(403, ReceiverErrorCodes.ForbiddenEvent, $"producer '{producer.Name}' may not send '{envelope.Name}'");
        }

        EventContracts contracts;
        try
        {
            contracts = await manifest.GetAsync(cancellationToken);
        }
        catch (ManifestUnavailableException ex)
        {
            ReceiverLog.ManifestUnavailable(logger, ex.Message);
            return Unavailable("no manifest is loaded");
        }

        if (!contracts.Knows(envelope.Name))
        {
            return IngressResult.Refused(400, ReceiverErrorCodes.UnknownEvent, $"'{envelope.Name}' is not an event of the active manifest",
                [new FieldError(ReceiverErrorCodes.UnknownEvent, "name", "unknown event name")]);
        }

        var errors = contracts.Validate(envelope.Name, envelope.Fields);
        if (errors.Count > 0)
        {
            return IngressResult.Refused(400, errors[0].Code, $"the fields do not match the contract of '{envelope.Name}'", errors);
        }

        var id = envelope.Id ?? Guid.CreateVersion7(time.GetUtcNow()).ToString();
        var acceptedAt = time.GetUtcNow();
        var hash = BodyHash(envelope);
        var message = new EventAccepted
        {
            EventId = id,
            EventName = envelope.Name,
            Fields = envelope.Fields,
            Producer = producer.Name,
            AcceptedAt = acceptedAt,
            ManifestVersion = contracts.ManifestHash,
            TraceParent = Activity.Current?.Id,
            TraceState = Activity.Current?.TraceStateString,
            ChainDepth = 0,
        };

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.DependencyTimeout * 3);
        AcceptanceOutcome outcome;
        try
        {
            await topology.EnsureAsync(contracts, deadline.Token);
            outcome = await store.AcceptAsync(
                new AcceptedEventRecord(id, envelope.Name, producer.Name, hash, acceptedAt),
                ct => bus.PublishAsync(message, ct),
                deadline.Token);
        }
        catch (BusUnavailableException ex)
        {
            ReceiverLog.DependencyUnavailable(logger, "bus", ex.GetType().Name);
            return Unavailable("the bus did not confirm the event");
        }
        catch (Exception ex) when (ex is DbException or TimeoutException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            ReceiverLog.DependencyUnavailable(logger, "state", ex.GetType().Name);
            return Unavailable("the ingress database is unavailable");
        }

        if (outcome.IsNew)
        {
            return IngressResult.Accepted(id, acceptedAt);
        }

        var original = outcome.Record;
        return original.BodyHash == hash && original.Producer == producer.Name
            ? IngressResult.Duplicate(id, original.AcceptedAt)
            : IngressResult.Refused(409, ReceiverErrorCodes.EventIdConflict, $"event id '{id}' was already accepted with a different payload or producer", id: id);
    }

    private static IngressResult Unavailable(string detail) =>
        IngressResult.Refused(503, ReceiverErrorCodes.Unavailable, detail + "; retry later");

    private static string BodyHash(EventEnvelope envelope)
    {
        var canonical = envelope.Name + "\n" + System.Text.Json.JsonSerializer.Serialize(envelope.Fields);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
