using System.Text.Json.Nodes;

namespace Loopy.Compiler.Compilation;

/// <summary>The built-in vendor events of AUTHORING.md §4.5: name → provider, webhook path and field schemas.</summary>
internal static class BuiltinEvents
{
    public static readonly string[] ReservedPrefixes = ["Github.", "Sentry.", "Datadog."];

    private static readonly Dictionary<string, (string Provider, string[] Fields)> Table = new(StringComparer.Ordinal)
    {
        ["Github.PullRequestOpened"] = ("github", ["number:int", "repo", "title", "branch", "base", "url:url"]),
        ["Github.PullRequestMerged"] = ("github", ["number:int", "repo", "title", "url:url", "merged_by"]),
        ["Github.IssueOpened"] = ("github", ["number:int", "repo", "title", "body", "author", "url:url"]),
        ["Github.IssueCommentCreated"] = ("github", ["repo", "issue_number:int", "body", "author", "url:url", "on_pull_request:bool"]),
        ["Github.Push"] = ("github", ["repo", "ref", "before", "after", "pusher", "commit_count:int"]),
        ["Sentry.IssueCreated"] = ("sentry", ["issue_id", "title", "culprit", "level:enum[debug, info, warning, error, fatal]", "project", "url:url"]),
        ["Sentry.IssueResolved"] = ("sentry", ["issue_id", "title", "project", "url:url"]),
        ["Sentry.AlertTriggered"] = ("sentry", ["issue_id", "title", "culprit", "level", "rule", "url:url"]),
        ["Datadog.MonitorAlerted"] = ("datadog", ["monitor_id", "title", "body", "alert_type:enum[error, warning, info, success]", "priority", "metric", "scope", "host", "transition", "url:url"]),
        ["Datadog.MonitorRecovered"] = ("datadog", ["monitor_id", "title", "scope", "host", "url:url"]),
    };

    /// <summary>The reserved prefix <paramref name="name"/> starts with (<c>Github.</c>…), or null.</summary>
    public static string? ReservedPrefix(string name) =>
        ReservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal));

    public static bool IsKnown(string name) => Table.ContainsKey(name);

    public static string Provider(string name) => Table[name].Provider;

    public static string WebhookPath(string name) => "/hooks/" + Table[name].Provider;

    /// <summary>Known names under one prefix, sorted.</summary>
    public static IEnumerable<string> NamesWithPrefix(string prefix) =>
        Table.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    /// <summary>The field schemas of a known built-in, in table order.</summary>
    public static List<KeyValuePair<string, JsonNode?>> Fields(string name)
    {
        var result = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var field in Table[name].Fields)
        {
            var colon = field.IndexOf(':', StringComparison.Ordinal);
            var fieldName = colon < 0 ? field : field[..colon];
            var type = colon < 0 ? "str" : field[(colon + 1)..];
            result.Add(new(fieldName, TypeShorthand.FromString(type)));
        }

        return result;
    }
}
