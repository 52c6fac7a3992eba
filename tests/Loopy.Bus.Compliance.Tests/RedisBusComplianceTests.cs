using System.Collections.Concurrent;
using Loopy.Bus.Redis;
using Loopy.Testing;

namespace Loopy.Bus.Compliance.Tests;

public sealed class RedisBusComplianceTests : BusComplianceTests
{
    protected override BusTransport Transport => BusTransport.Redis;

    protected override string? ConnectionString => TestServers.Redis;

    protected override string? ServerName => "redis";

    [Fact]
    public async Task Trimming_never_drops_entries_a_workflow_has_not_acknowledged()
    {
        var bus = (RedisEventBus)CreateBus();
        var fast = new ConcurrentDictionary<string, byte>();
        var slow = new ConcurrentDictionary<string, byte>();
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await SubscribeAsync(bus, "fast", ["trim.event"], (delivery, _) =>
        {
            fast.TryAdd(delivery.Message.EventId, 0);
            return Task.CompletedTask;
        });
        await SubscribeAsync(bus, "slow", ["trim.event"], async (delivery, cancellationToken) =>
        {
            slowStarted.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
            slow.TryAdd(delivery.Message.EventId, 0);
        }, concurrency: 1);

        const int count = 20;
        for (var i = 0; i < count; i++)
        {
            await bus.PublishAsync(NewEvent("trim.event"), TestContext.Current.CancellationToken);
        }

        await Wait.UntilAsync(() => fast.Count == count, TimeSpan.FromSeconds(30), "the fast workflow to handle everything");
        await Wait.ForAsync(slowStarted.Task, TimeSpan.FromSeconds(30), "the slow workflow to start");

        // The slow workflow holds its first entry pending and has not read the others: nothing may go.
        await bus.TrimAsync("trim.event");
        Assert.Equal(count, await bus.StreamLengthAsync("trim.event"));

        release.SetResult();
        await Wait.UntilAsync(() => slow.Count == count, TimeSpan.FromSeconds(30), "the slow workflow to catch up");
        await Wait.UntilAsync(
            async () =>
            {
                await bus.TrimAsync("trim.event");
                return await bus.StreamLengthAsync("trim.event") <= 1;
            },
            TimeSpan.FromSeconds(30),
            "the stream to be trimmed once every group acknowledged");
    }
}
