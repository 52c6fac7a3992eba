using System.Collections.Concurrent;
using System.Diagnostics;
using Loopy.Testing;

namespace Loopy.Bus.Compliance.Tests;

/// <summary>The part of the contract that only a transport with a broker process has.</summary>
public abstract class BrokerBusComplianceTests : BusComplianceTests
{
    /// <summary>The eng/servers.sh name of the broker.</summary>
    protected abstract string ServerName { get; }

    [Fact]
    public async Task Publishing_while_the_broker_is_down_fails_fast_and_works_again_after_restart()
    {
        var bus = CreateBus();
        var handled = new ConcurrentDictionary<string, byte>();
        await SubscribeAsync(bus, "outage", ["outage.event"], (delivery, _) =>
        {
            handled.TryAdd(delivery.Message.EventId, 0);
            return Task.CompletedTask;
        });
        var before = NewEvent("outage.event");
        await bus.PublishAsync(before, TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => handled.ContainsKey(before.EventId), Deadline, "the message before the outage");

        await ServerControl.WhileStoppedAsync(
            ServerName,
            async () =>
            {
                var clock = Stopwatch.StartNew();
                await Assert.ThrowsAsync<BusUnavailableException>(() => bus.PublishAsync(NewEvent("outage.event"), TestContext.Current.CancellationToken));
                clock.Stop();
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"publishing to a stopped broker took {clock.Elapsed.TotalMilliseconds:0} ms to fail");
            },
            TestContext.Current.CancellationToken);

        var after = NewEvent("outage.event");
        await Wait.UntilAsync(
            async () =>
            {
                try
                {
                    await bus.PublishAsync(after, TestContext.Current.CancellationToken);
                    return true;
                }
                catch (BusUnavailableException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            "publishing to work again after the restart");
        await Wait.UntilAsync(() => handled.ContainsKey(after.EventId), TimeSpan.FromSeconds(60), "the message published after the restart to be handled");
    }
}
