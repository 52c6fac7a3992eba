namespace Loopy.Compiler.Model;

/// <summary>A parsed <c>on:</c> value: an event (with filters) or a cron schedule.</summary>
internal sealed class TriggerDef
{
    public bool IsCron { get; init; }

    public string? Event { get; init; }

    public List<KeyValuePair<string, string>> Filters { get; init; } = [];

    public string? Expr { get; init; }

    public string? Tz { get; init; }
}
