using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Loopy.Contracts.Manifest;
using Loopy.Contracts.Messages;
using Microsoft.Extensions.Logging;

namespace Loopy.Bus.Compliance.Tests;

/// <summary>
/// The contract every <see cref="IEventBus"/> implementation keeps. Each test uses its own entity
/// prefix, so tests never see each other's messages on the shared servers.
/// </summary>
public abstract class BusComplianceTests : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly List<IAsyncDisposable> _disposables = [];
    private readonly ILoggerFactory _loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(new TestOutputLoggerProvider()));
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];

    protected abstract BusTransport Transport { get; }

    protected abstract string? ConnectionString { get; }

    protected const int MaxAttempts = 3;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            await _disposables[i].DisposeAsync();
        }

        _loggerFactory.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Publish_then_consume_delivers_the_message()
    {
        var bus = CreateBus();
        var received = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SubscribeAsync(bus, "orders", ["order.placed"], (delivery, _) =>
        {
            received.TrySetResult(delivery);
            return Task.CompletedTask;
        });

        var sent = NewEvent("order.placed", """{"id":42,"name":"x"}""");
        await bus.PublishAsync(sent, TestContext.Current.CancellationToken);

        var delivery = await Wait.ForAsync(received.Task, Deadline, "the delivery");
        Assert.Equal(sent.EventId, delivery.Message.EventId);
        Assert.Equal("order.placed", delivery.Message.EventName);
        Assert.Equal(42, delivery.Message.Fields.GetProperty("id").GetInt32());
        Assert.Equal(sent.AcceptedAt, delivery.Message.AcceptedAt);
        Assert.Equal(sent.ChainDepth, delivery.Message.ChainDepth);
        Assert.Equal("orders", delivery.Workflow);
        Assert.Equal(1, delivery.Attempt);
    }

    [Fact]
    public async Task Events_published_after_provisioning_wait_for_each_workflows_first_subscriber()
    {
        var bus = CreateBus();
        var ct = TestContext.Current.CancellationToken;
        await bus.ProvisionAsync([new EventRoute("first", "early.event"), new EventRoute("second", "early.event")], ct);
        await bus.ProvisionAsync([new EventRoute("first", "early.event")], ct); // idempotent

        var sent = NewEvent("early.event");
        await bus.PublishAsync(sent, ct);

        var first = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SubscribeAsync(bus, "first", ["early.event"], (delivery, _) => { first.TrySetResult(delivery); return Task.CompletedTask; });
        await SubscribeAsync(bus, "second", ["early.event"], (delivery, _) => { second.TrySetResult(delivery); return Task.CompletedTask; });

        Assert.Equal(sent.EventId, (await Wait.ForAsync(first.Task, Deadline, "the first workflow's delivery")).Message.EventId);
        Assert.Equal(sent.EventId, (await Wait.ForAsync(second.Task, Deadline, "the second workflow's delivery")).Message.EventId);
    }

    [Fact]
    public async Task Every_subscribed_workflow_gets_every_event_and_others_get_none()
    {
        var bus = CreateBus();
        var first = new ConcurrentDictionary<string, int>();
        var second = new ConcurrentDictionary<string, int>();
        var unrelated = new ConcurrentDictionary<string, int>();
        await SubscribeAsync(bus, "first", ["a.happened"], Count(first));
        await SubscribeAsync(bus, "second", ["b.happened", "a.happened"], Count(second));
        await SubscribeAsync(bus, "unrelated", ["c.happened"], Count(unrelated));

        var events = Enumerable.Range(0, 20).Select(_ => NewEvent("a.happened")).ToList();
        foreach (var message in events)
        {
            await bus.PublishAsync(message, TestContext.Current.CancellationToken);
        }

        var marker = NewEvent("c.happened");
        await bus.PublishAsync(marker, TestContext.Current.CancellationToken);

        await Wait.UntilAsync(() => first.Count == 20 && second.Count == 20 && unrelated.Count == 1, Deadline, "both workflows to get all 20 events");
        Assert.All(events, message => Assert.Equal(1, first[message.EventId]));
        Assert.All(events, message => Assert.Equal(1, second[message.EventId]));
        Assert.Equal([marker.EventId], unrelated.Keys);
    }

    [Fact]
    public async Task Competing_consumers_of_one_workflow_each_handle_a_message_once()
    {
        var bus = CreateBus();
        var seen = new ConcurrentDictionary<string, int>();
        var perConsumer = new int[3];
        var entered = new bool[3];
        var twoConsumersBusy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var consumer = 0; consumer < 3; consumer++)
        {
            var index = consumer;
            await SubscribeAsync(bus, "competing", ["work.queued"], async (delivery, cancellationToken) =>
            {
                // Hold every handler until a second consumer is busy too, so one fast consumer cannot
                // drain the queue alone; the deadline turns a consumer that never gets work into a failure below.
                lock (entered)
                {
                    entered[index] = true;
                    if (entered.Count(e => e) >= 2)
                    {
                        twoConsumersBusy.TrySetResult();
                    }
                }

                await twoConsumersBusy.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                // Counted per consumer first: once all ids are seen, every count is in.
                Interlocked.Increment(ref perConsumer[index]);
                seen.AddOrUpdate(delivery.Message.EventId, 1, (_, n) => n + 1);
            });
        }

        const int count = 300;
        var events = Enumerable.Range(0, count).Select(_ => NewEvent("work.queued")).ToList();
        await Task.WhenAll(events.Select(message => bus.PublishAsync(message, TestContext.Current.CancellationToken)));

        await Wait.UntilAsync(() => seen.Count == count, Deadline, $"{count} distinct deliveries");
        Assert.Equal(count, perConsumer.Sum());
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.True(perConsumer.Count(n => n > 0) >= 2, $"expected the work to be shared, got [{string.Join(", ", perConsumer)}]");
    }

    [Fact]
    public async Task A_throwing_handler_gets_the_message_again()
    {
        var bus = CreateBus();
        var attempts = new ConcurrentQueue<int>();
        var succeeded = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SubscribeAsync(bus, "flaky", ["flaky.event"], (delivery, _) =>
        {
            attempts.Enqueue(delivery.Attempt);
            if (attempts.Count == 1)
            {
                throw new InvalidOperationException("transient failure");
            }

            succeeded.TrySetResult(delivery);
            return Task.CompletedTask;
        });

        var sent = NewEvent("flaky.event");
        await bus.PublishAsync(sent, TestContext.Current.CancellationToken);

        var delivery = await Wait.ForAsync(succeeded.Task, Deadline, "the redelivery");
        Assert.Equal(sent.EventId, delivery.Message.EventId);
        Assert.Equal([1, 2], attempts);
        Assert.Empty(await bus.ReadDeadLettersAsync("flaky", 10, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_consumer_disposed_mid_handle_hands_the_message_to_another_consumer()
    {
        var bus = CreateBus();
        var started = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        var dying = await SubscribeAsync(bus, "resilient", ["job.started"], async (delivery, cancellationToken) =>
        {
            started.TrySetResult(delivery);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        });

        var sent = NewEvent("job.started");
        await bus.PublishAsync(sent, TestContext.Current.CancellationToken);
        var first = await Wait.ForAsync(started.Task, Deadline, "the first consumer to start handling");

        var survivor = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SubscribeAsync(bus, "resilient", ["job.started"], (delivery, _) =>
        {
            survivor.TrySetResult(delivery);
            return Task.CompletedTask;
        });
        await dying.DisposeAsync();

        var second = await Wait.ForAsync(survivor.Task, Deadline, "the other consumer to get the message");
        Assert.Equal(sent.EventId, first.Message.EventId);
        Assert.Equal(sent.EventId, second.Message.EventId);
        Assert.Equal(1, first.Attempt);
        Assert.Equal(2, second.Attempt);
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_after_exactly_R_attempts_and_never_loops()
    {
        var bus = CreateBus();
        var poisonAttempts = 0;
        var markerHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var poison = NewEvent("payment.received", """{"poison":true}""");
        await SubscribeAsync(bus, "payments", ["payment.received"], (delivery, _) =>
        {
            if (delivery.Message.EventId == poison.EventId)
            {
                Interlocked.Increment(ref poisonAttempts);
                throw new InvalidOperationException("cannot handle this one");
            }

            markerHandled.TrySetResult();
            return Task.CompletedTask;
        });

        await bus.PublishAsync(poison, TestContext.Current.CancellationToken);

        IReadOnlyList<DeadLetter> dead = [];
        await Wait.UntilAsync(
            async () => (dead = await bus.ReadDeadLettersAsync("payments", 10, TestContext.Current.CancellationToken)).Count > 0,
            Deadline,
            "the dead letter");
        var letter = Assert.Single(dead);
        Assert.Equal(poison.EventId, letter.Message.EventId);
        Assert.Equal("payments", letter.Workflow);
        Assert.Equal(MaxAttempts, letter.Attempts);
        Assert.Contains("cannot handle this one", letter.Reason, StringComparison.Ordinal);
        Assert.Equal(MaxAttempts, Volatile.Read(ref poisonAttempts));

        // A message published after the dead letter flows through, and the poison has not come back.
        await bus.PublishAsync(NewEvent("payment.received"), TestContext.Current.CancellationToken);
        await Wait.ForAsync(markerHandled.Task, Deadline, "the message after the poison");
        Assert.Equal(MaxAttempts, Volatile.Read(ref poisonAttempts));

        // Inspecting is a peek: reading the dead letters again and again neither removes nor loses them.
        for (var i = 0; i < (2 * MaxAttempts) + 2; i++)
        {
            var again = Assert.Single(await bus.ReadDeadLettersAsync("payments", 10, TestContext.Current.CancellationToken));
            Assert.Equal(poison.EventId, again.Message.EventId);
        }
    }

    [Fact]
    public async Task A_message_whose_consumers_keep_stopping_mid_handle_is_dead_lettered_after_R_deliveries()
    {
        var bus = CreateBus();
        var sent = NewEvent("fragile.event");
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var started = new TaskCompletionSource<BusDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumer = await SubscribeAsync(bus, "fragile", ["fragile.event"], async (delivery, cancellationToken) =>
            {
                started.TrySetResult(delivery);
                await Task.Delay(Timeout.Infinite, cancellationToken);
            });
            if (attempt == 1)
            {
                await bus.PublishAsync(sent, TestContext.Current.CancellationToken);
            }

            var delivery = await Wait.ForAsync(started.Task, Deadline, $"delivery {attempt}");
            Assert.Equal(sent.EventId, delivery.Message.EventId);
            Assert.Equal(attempt, delivery.Attempt);
            await consumer.DisposeAsync();
        }

        // One more consumer: it must never be handed the message again.
        var handledAfterLimit = 0;
        await SubscribeAsync(bus, "fragile", ["fragile.event"], (_, _) =>
        {
            Interlocked.Increment(ref handledAfterLimit);
            return Task.CompletedTask;
        });

        IReadOnlyList<DeadLetter> dead = [];
        await Wait.UntilAsync(
            async () => (dead = await bus.ReadDeadLettersAsync("fragile", 10, TestContext.Current.CancellationToken)).Count > 0,
            Deadline,
            "the dead letter after the delivery limit");
        var letter = Assert.Single(dead);
        Assert.Equal(sent.EventId, letter.Message.EventId);
        Assert.Equal(MaxAttempts, letter.Attempts);
        Assert.Contains("limit", letter.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, Volatile.Read(ref handledAfterLimit));
    }

    [Fact]
    public async Task Ten_thousand_messages_published_concurrently_are_all_handled()
    {
        var bus = CreateBus();
        var seen = new ConcurrentDictionary<string, byte>();
        await SubscribeAsync(bus, "bulk", ["bulk.event"], (delivery, _) =>
        {
            seen.TryAdd(delivery.Message.EventId, 0);
            return Task.CompletedTask;
        }, concurrency: 32);

        const int count = 10_000;
        var events = Enumerable.Range(0, count).Select(_ => NewEvent("bulk.event")).ToList();
        var publishing = Stopwatch.StartNew();
        await Task.WhenAll(events.Select(message => Task.Run(() => bus.PublishAsync(message, TestContext.Current.CancellationToken))));
        publishing.Stop();

        await Wait.UntilAsync(() => seen.Count == count, TimeSpan.FromSeconds(120), $"{count} handled messages (publishing took {publishing.Elapsed.TotalSeconds:0.0} s)");
        Assert.All(events, message => Assert.True(seen.ContainsKey(message.EventId)));
    }

    [Fact]
    public async Task Trace_context_of_the_publisher_arrives_in_the_handler()
    {
        using var testSource = new ActivitySource("Loopy.Bus.Compliance.Tests");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is BusTelemetry.Name or "Loopy.Bus.Compliance.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        var bus = CreateBus();
        var received = new TaskCompletionSource<(BusDelivery Delivery, ActivityTraceId TraceId, string? SourceName)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await SubscribeAsync(bus, "traced", ["traced.event"], (delivery, _) =>
        {
            var current = Activity.Current;
            received.TrySetResult((delivery, current?.TraceId ?? default, current?.Source.Name));
            return Task.CompletedTask;
        });

        ActivityTraceId publisherTrace;
        using (var parent = testSource.StartActivity("receive webhook"))
        {
            Assert.NotNull(parent);
            publisherTrace = parent.TraceId;
            await bus.PublishAsync(NewEvent("traced.event"), TestContext.Current.CancellationToken);
        }

        var (delivery, handlerTrace, sourceName) = await Wait.ForAsync(received.Task, Deadline, "the traced delivery");
        Assert.Equal(publisherTrace, handlerTrace);
        Assert.Equal(BusTelemetry.Name, sourceName);
        Assert.NotNull(delivery.Message.TraceParent);
        Assert.Contains(publisherTrace.ToHexString(), delivery.Message.TraceParent, StringComparison.Ordinal);

        // A trace context carried on the message (no ambient activity) is continued too.
        var remoteTrace = ActivityTraceId.CreateRandom();
        var carried = NewEvent("traced.event") with { TraceParent = $"00-{remoteTrace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01" };
        received = new TaskCompletionSource<(BusDelivery Delivery, ActivityTraceId TraceId, string? SourceName)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Activity.Current = null;
        await bus.PublishAsync(carried, TestContext.Current.CancellationToken);
        var (_, continuedTrace, _) = await Wait.ForAsync(received.Task, Deadline, "the second traced delivery");
        Assert.Equal(remoteTrace, continuedTrace);
    }

    protected IEventBus CreateBus()
    {
        var options = new BusOptions
        {
            EntityPrefix = _prefix,
            MaxAttempts = MaxAttempts,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            ClaimIdleTime = TimeSpan.FromSeconds(1),
            PollInterval = TimeSpan.FromMilliseconds(20),
            TrimInterval = TimeSpan.FromSeconds(1),
        };
        var bus = BusServiceCollectionExtensions.Create(Transport, ConnectionString, options, TimeProvider.System, _loggerFactory);
        _disposables.Add(bus);
        return bus;
    }

    protected async Task<IAsyncDisposable> SubscribeAsync(IEventBus bus, string workflow, string[] eventNames, BusHandler handler, int? concurrency = null)
    {
        var subscription = await bus.SubscribeAsync(new BusSubscription(workflow, eventNames, handler) { Concurrency = concurrency }, TestContext.Current.CancellationToken);
        _disposables.Add(subscription);
        return subscription;
    }

    protected static EventAccepted NewEvent(string eventName, string fields = """{"n":1}""") => new()
    {
        EventId = Guid.CreateVersion7().ToString(),
        EventName = eventName,
        Fields = JsonDocument.Parse(fields).RootElement.Clone(),
        Producer = "compliance-tests",
        AcceptedAt = TimeProvider.System.GetUtcNow(),
        ManifestVersion = "sha256:test",
        ChainDepth = 1,
    };

    private static BusHandler Count(ConcurrentDictionary<string, int> seen) => (delivery, _) =>
    {
        seen.AddOrUpdate(delivery.Message.EventId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    };
}
