using System.Text.Json.Serialization;

namespace Loopy.Contracts.Manifest;

/// <summary>An entry trigger: <c>kind</c> <c>event</c> (with exact-match <c>filters</c>) or <c>cron</c> (with <c>expr</c>, <c>tz</c>).</summary>
public sealed record ManifestTrigger
{
    public const string EventKind = "event";
    public const string CronKind = "cron";

    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("event")]
    public string? Event { get; init; }

    [JsonPropertyName("filters")]
    public IReadOnlyDictionary<string, string>? Filters { get; init; }

    [JsonPropertyName("expr")]
    public string? Expr { get; init; }

    /// <summary>An IANA zone, null meaning UTC.</summary>
    [JsonPropertyName("tz")]
    public string? Tz { get; init; }
}
