using Loopy.Runtime.Cron;
using Loopy.Runtime.Harness;

namespace Loopy.Runtime;

/// <summary>Configuration of the Runtime (section <c>Loopy:Runtime</c>); code defaults, overridable per deployment.</summary>
public sealed class RuntimeOptions
{
    public const string SectionName = "Loopy:Runtime";

    /// <summary>
    /// Whether attempts of sandboxes with github.com <c>repos:</c> get a GitHub App installation token as
    /// <c>GITHUB_TOKEN</c> when an app is configured (<c>loopy trigger --no-tokens</c> turns it off).
    /// </summary>
    public bool GitHubAppTokens { get; set; } = true;

    /// <summary>The GitHub REST API the GitHub App's installation tokens are asked from (GitHub Enterprise: <c>https://host/api/v3/</c>).</summary>
    public Uri GitHubApiUrl { get; set; } = new("https://api.github.com/");

    /// <summary>Path of the compiled <c>manifest.json</c> the Runtime serves.</summary>
    public string ManifestPath { get; set; } = "manifest.json";

    /// <summary>The project root (exec commands' relative paths, env files); the manifest's folder when null.</summary>
    public string? ProjectRoot { get; set; }

    /// <summary>This replica's lease owner name; a unique one is made up when null.</summary>
    public string? ReplicaId { get; set; }

    /// <summary>Steps this replica runs at once, across all runs.</summary>
    public int MaxConcurrentSteps { get; set; } = 8;

    /// <summary>How long a claimed step's lease lasts without a heartbeat; heartbeats come every third of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On shutdown, running steps may finish until <c>HostOptions.ShutdownTimeout</c> (<c>shutdownTimeoutSeconds</c>)
    /// less this time; what still runs then is cancelled and its lease released, within this time.
    /// </summary>
    public TimeSpan ShutdownReleaseTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest pause between two looks for ready steps when nothing woke the worker.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest pause between two looks at the outbox when nothing woke the relay.</summary>
    public TimeSpan OutboxPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether this replica fires cron schedules (false in <c>loopy trigger</c>, which runs only what it was asked to).</summary>
    public bool CronEnabled { get; set; } = true;

    /// <summary>How often the cron scheduler looks for due slots of cron-triggered workflows (a slot fires at most this late).</summary>
    public TimeSpan CronPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// What a cron schedule fires after downtime, when slots passed while no replica was running (AUTHORING.md §8.1).
    /// <see cref="CronCatchUp.Latest"/> (the default): the most recent missed slot, once; the older ones are skipped.
    /// <see cref="CronCatchUp.All"/>: every missed slot, oldest first, but at most the <see cref="CronMaxCatchUp"/>
    /// most recent ones. Either way a slot fires at most once across all replicas, its tick's <c>last_run</c> is the
    /// previous slot that fired, and a schedule that has never fired (a new workflow, a fresh database) starts with
    /// the first slot that comes due while a replica runs: no catch-up of slots before its first start.
    /// </summary>
    public CronCatchUp CronCatchUp { get; set; } = CronCatchUp.Latest;

    /// <summary>With <see cref="CronCatchUp.All"/>, the most missed slots one schedule fires after downtime.</summary>
    public int CronMaxCatchUp { get; set; } = 100;

    /// <summary>Attempts per step (AUTHORING.md §8.5).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Base of the retry backoff: base × 2^(attempt−1), ±20 % jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Cap of the retry backoff.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>What one unit of <c>budget.wall_clock</c> means (a minute; tests shrink it).</summary>
    public TimeSpan WallClockUnit { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Wall-clock units per attempt when a step sets no <c>budget.wall_clock</c>.</summary>
    public int DefaultWallClock { get; set; } = 60;

    /// <summary>Emits that would exceed this chain depth are not published (loop protection).</summary>
    public int MaxChainDepth { get; set; } = 8;

    /// <summary>Runs one cascade may start (AUTHORING.md §8.6); the next one fails at start.</summary>
    public int MaxRunsPerCascade { get; set; } = 10_000;

    /// <summary>Most bytes of a reply kept (and parsed); the rest is dropped.</summary>
    public int MaxReplyBytes { get; set; } = 64 * 1024;

    /// <summary>Most characters of stderr kept per attempt (the tail).</summary>
    public int MaxStderrChars { get; set; } = 16 * 1024;

    /// <summary>
    /// The user agent processes run as when the Runtime runs as root, <c>uid:gid</c> (dropped to with <c>setpriv</c>);
    /// empty to keep root (not recommended: Claude Code refuses <c>bypassPermissions</c> as root).
    /// </summary>
    public string AgentUser { get; set; } = "65534:65534";

    /// <summary>Where the <c>local</c> provider creates each attempt's working directory and <c>HOME</c>; the system temp folder when null.</summary>
    public string? SandboxDirectory { get; set; }

    /// <summary>
    /// Development only: lets a provider that cannot enforce a sandbox's <c>network:</c> allowlist (<c>local</c>) run it
    /// anyway, unrestricted. Off by default: such a sandbox fails preflight.
    /// </summary>
    public bool AllowUnenforcedEgress { get; set; }

    /// <summary>
    /// Model prices in USD per million tokens, by model name prefix (the longest matching prefix wins), for running
    /// costs during a step and for harnesses whose CLI reports no cost. Entries here add to or replace the defaults.
    /// </summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.Ordinal);
}
