namespace Loopy.Bus;

/// <summary>Settings of the bus, bound from <see cref="SectionName"/>. The transport itself is chosen by connection string.</summary>
public sealed class BusOptions
{
    public const string SectionName = "Loopy:Bus";

    /// <summary>Prefix of every exchange, queue, stream and key the bus creates (tests use a unique one).</summary>
    public string EntityPrefix { get; set; } = "loopy";

    /// <summary>Attempts per message and workflow (R) before it is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Pause before a failed delivery is tried again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest a publish waits for the broker's durable acceptance once it is on the wire.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Publishes in flight at once per bus instance; more wait for a slot (before the timeout starts).</summary>
    public int MaxInFlightPublishes { get; set; } = 256;

    /// <summary>Deliveries handled at once by one subscription, unless the subscription says otherwise.</summary>
    public int ConcurrencyPerSubscription { get; set; } = 8;

    /// <summary>In-process: capacity of each workflow's queue (publishers wait when it is full).</summary>
    public int InProcessCapacity { get; set; } = 10_000;

    /// <summary>Redis: how long an entry stays pending with a silent consumer before another consumer claims it.</summary>
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Redis: longest pause between two reads when the streams are empty.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Redis: how often a consumer trims its streams below the oldest entry any group still needs.</summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromSeconds(30);
}
