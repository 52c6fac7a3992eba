using System.Diagnostics;
using System.Text.Json.Nodes;
using Loopy.SensorHost.Delivery;
using Loopy.SensorHost.Exec;
using Loopy.SensorHost.Sensors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.SensorHost.Polling;

/// <summary>
/// Runs every poll sensor (AUTHORING.md §4.6): one tick at a time per sensor, once across all replicas. Each
/// tick is claimed from the Receiver's checkpoint API (a lease), runs the program with
/// <c>{"kind": "poll", "scheduled_at", "last_run"}</c> (<c>last_run</c> = the watermark, or
/// <c>scheduled_at − interval</c> the first time), sends every event, and completes the tick (the watermark moves
/// to <c>scheduled_at</c>) only when all were accepted; otherwise it releases it and the window is re-scanned.
/// On shutdown no new tick starts; a tick under way may finish until <see cref="HostOptions.ShutdownTimeout"/> less
/// <see cref="SensorHostOptions.ShutdownReleaseTime"/>, after which it is cancelled and handed back at once.
/// </summary>
public sealed class PollSensorService(
    SensorCatalog catalog,
    ExecRunner runner,
    ReceiverClient receiver,
    CheckpointClient checkpoints,
    SensorHostTelemetry telemetry,
    IOptions<SensorHostOptions> options,
    IOptions<HostOptions> hostOptions,
    TimeProvider time,
    ILogger<PollSensorService> logger) : BackgroundService, IHostedLifecycleService
{
    private readonly CancellationTokenSource _draining = new();
    private readonly CancellationTokenSource _abortTicks = new();

    private readonly string _owner = options.Value.InstanceId is { Length: > 0 } configured
        ? configured
        : $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>This replica's name in tick leases.</summary>
    public string Owner => _owner;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var polling = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _draining.Token);
        await Task.WhenAll(catalog.PollSensors.Select(sensor => RunSensorAsync(sensor, polling.Token)));
    }

    /// <summary>The host is stopping: start no new tick; let the ticks under way finish within the drain period.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _draining.CancelAsync();
        if (ExecuteTask is not { } loops)
        {
            return;
        }

        var drain = hostOptions.Value.ShutdownTimeout - options.Value.ShutdownReleaseTime;
        try
        {
            await loops.WaitAsync(drain > TimeSpan.Zero ? drain : TimeSpan.Zero, time, cancellationToken);
            return;
        }
        catch (TimeoutException)
        {
            // The drain period is over: the ticks still under way are cancelled and released.
        }

        await _abortTicks.CancelAsync();
        await loops.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _draining.CancelAsync();
        await _abortTicks.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _draining.Dispose();
        _abortTicks.Dispose();
        base.Dispose();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs one tick if it is due and this replica wins the claim; returns how long to wait before the next attempt.</summary>
    public async Task<TimeSpan> TickAsync(PollSensor sensor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sensor);
        var settings = options.Value;
        var claim = await checkpoints.ClaimAsync(sensor.Name, _owner, sensor.Exec.Timeout + settings.PollLeaseSlack, sensor.Interval, cancellationToken);
        if (claim.Outcome != TickClaimOutcome.Claimed)
        {
            if (claim.Outcome == TickClaimOutcome.Unavailable)
            {
                SensorHostLog.CheckpointUnavailable(logger, sensor.Name);
            }

            return Clamp(claim.RetryAfter, sensor.Interval);
        }

        using var activity = SensorHostTelemetry.ActivitySource.StartActivity("sensorhost.poll_tick", ActivityKind.Internal);
        activity?.SetTag("loopy.sensor", sensor.Name);
        try
        {
            return await RunClaimedTickAsync(sensor, claim, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down mid-tick: hand the tick back at once rather than leaving it to the lease's expiry.
            await checkpoints.ReleaseAsync(sensor.Name, claim.TickId!, CancellationToken.None);
            throw;
        }
    }

    private async Task<TimeSpan> RunClaimedTickAsync(PollSensor sensor, TickClaim claim, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lastRun = claim.WindowStart ?? claim.ScheduledAt - sensor.Interval;
        var windowStart = CheckpointClient.Format(lastRun);
        var input = new JsonObject
        {
            ["kind"] = "poll",
            ["scheduled_at"] = CheckpointClient.Format(claim.ScheduledAt),
            ["last_run"] = windowStart,
        };

        IReadOnlyList<Mapping.CandidateEvent> events;
        try
        {
            events = await runner.RunAsync(sensor.Exec, input.ToJsonString(), cancellationToken);
        }
        catch (SensorFailedException ex)
        {
            SensorHostLog.SensorFailed(logger, sensor.Name, ex.Message);
            await checkpoints.ReleaseAsync(sensor.Name, claim.TickId!, CancellationToken.None);
            SensorHostLog.PollTickReleased(logger, sensor.Name, "the program failed");
            telemetry.RecordTick(sensor.Name, "sensor_failed");
            return sensor.Interval;
        }

        foreach (var candidate in events)
        {
            var id = EventIds.ForPoll(sensor.Name, windowStart, candidate);
            var result = await receiver.DeliverAsync(candidate, id, cancellationToken);
            telemetry.RecordEvent(candidate.Name, result.Outcome.ToString());
            if (result.Outcome != DeliveryOutcome.Accepted)
            {
                telemetry.RecordTick(sensor.Name, "released");
                await checkpoints.ReleaseAsync(sensor.Name, claim.TickId!, CancellationToken.None);
                if (result.Outcome == DeliveryOutcome.Unavailable)
                {
                    SensorHostLog.ReceiverUnavailable(logger, candidate.Name, result.Status);
                    SensorHostLog.PollTickReleased(logger, sensor.Name, "the Receiver is unavailable");
                    return settings.PollRetryDelay;
                }

                SensorHostLog.EventRejected(logger, id, candidate.Name, result.Status, result.Code ?? "(none)");
                SensorHostLog.PollTickReleased(logger, sensor.Name, "the Receiver rejected an event");
                return sensor.Interval;
            }

            SensorHostLog.EventDelivered(logger, id, candidate.Name, sensor.Name);
        }

        if (await checkpoints.CompleteAsync(sensor.Name, claim.TickId!, claim.ScheduledAt, CancellationToken.None))
        {
            SensorHostLog.PollTickCompleted(logger, sensor.Name, events.Count);
            telemetry.RecordTick(sensor.Name, "completed");
        }
        else
        {
            SensorHostLog.PollTickNotCompleted(logger, sensor.Name);
            telemetry.RecordTick(sensor.Name, "not_completed");
        }

        // The next claim is answered "not due" with the exact wait, measured on the Receiver's clock.
        return TimeSpan.Zero;
    }

    private async Task RunSensorAsync(PollSensor sensor, CancellationToken polling)
    {
        while (!polling.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                // A tick under way is not cut short by the stop signal, only by the end of the drain period.
                wait = await TickAsync(sensor, _abortTicks.Token);
            }
            catch (OperationCanceledException) when (_abortTicks.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A poll loop outlives any one failed tick: it is logged and retried after a pause.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                SensorHostLog.PollTickFailed(logger, sensor.Name, ex);
                wait = options.Value.PollRetryDelay;
            }

            try
            {
                await Task.Delay(wait, time, polling);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan wait, TimeSpan interval)
    {
        var floor = TimeSpan.FromMilliseconds(20);
        return wait < floor ? floor : wait > interval ? interval : wait;
    }
}
