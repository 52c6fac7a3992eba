using System.Text.Json;
using Loopy.Contracts.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace Loopy.Bus.Compliance.Tests;

public sealed class InProcessBusComplianceTests : BusComplianceTests
{
    protected override BusTransport Transport => BusTransport.InProcess;

    protected override string? ConnectionString => null;

    [Fact]
    public async Task A_full_workflow_queue_makes_publishing_fail_after_the_publish_timeout()
    {
        var options = new BusOptions { InProcessCapacity = 2, PublishTimeout = TimeSpan.FromMilliseconds(200) };
        await using var bus = BusServiceCollectionExtensions.Create(BusTransport.InProcess, null, options, TimeProvider.System, NullLoggerFactory.Instance);
        var idle = await bus.SubscribeAsync(new BusSubscription("idle", ["busy.event"], (_, _) => Task.CompletedTask), TestContext.Current.CancellationToken);
        await idle.DisposeAsync();

        await bus.PublishAsync(Event(), TestContext.Current.CancellationToken);
        await bus.PublishAsync(Event(), TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<BusUnavailableException>(() => bus.PublishAsync(Event(), TestContext.Current.CancellationToken));
    }

    private static EventAccepted Event() => new()
    {
        EventId = Guid.CreateVersion7().ToString(),
        EventName = "busy.event",
        Fields = JsonDocument.Parse("{}").RootElement.Clone(),
        Producer = "compliance-tests",
        AcceptedAt = TimeProvider.System.GetUtcNow(),
    };
}
