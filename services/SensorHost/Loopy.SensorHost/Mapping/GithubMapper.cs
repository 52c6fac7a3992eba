using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loopy.SensorHost.Mapping;

/// <summary>The built-in GitHub events (AUTHORING.md §4.5); a delivery that is not the mapper's event yields nothing.</summary>
public sealed class GithubMapper(string eventName) : IWebhookMapper
{
    public static IReadOnlyList<string> Events { get; } =
        ["Github.PullRequestOpened", "Github.PullRequestMerged", "Github.IssueOpened", "Github.IssueCommentCreated", "Github.Push"];

    public Task<IReadOnlyList<CandidateEvent>> MapAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return Task.FromResult(Map(delivery.Body));
    }

    public IReadOnlyList<CandidateEvent> Map(JsonElement? body)
    {
        var fields = eventName switch
        {
            "Github.PullRequestOpened" => PullRequestOpened(body),
            "Github.PullRequestMerged" => PullRequestMerged(body),
            "Github.IssueOpened" => IssueOpened(body),
            "Github.IssueCommentCreated" => IssueCommentCreated(body),
            "Github.Push" => Push(body),
            _ => null,
        };
        return fields is null ? [] : [new CandidateEvent(eventName, fields)];
    }

    private static JsonObject? PullRequestOpened(JsonElement? body)
    {
        if (Json.Text(body, "action") != "opened" || !Json.Has(body, "pull_request"))
        {
            return null;
        }

        var fields = new JsonObject();
        Json.Set(fields, "number", Json.Integer(body, "pull_request", "number"));
        Json.Set(fields, "repo", Json.Text(body, "repository", "full_name"));
        Json.Set(fields, "title", Json.Text(body, "pull_request", "title"));
        Json.Set(fields, "branch", Json.Text(body, "pull_request", "head", "ref"));
        Json.Set(fields, "base", Json.Text(body, "pull_request", "base", "ref"));
        Json.Set(fields, "url", Json.Text(body, "pull_request", "html_url"));
        return fields;
    }

    private static JsonObject? PullRequestMerged(JsonElement? body)
    {
        if (Json.Text(body, "action") != "closed" || !Json.IsTrue(body, "pull_request", "merged"))
        {
            return null;
        }

        var fields = new JsonObject();
        Json.Set(fields, "number", Json.Integer(body, "pull_request", "number"));
        Json.Set(fields, "repo", Json.Text(body, "repository", "full_name"));
        Json.Set(fields, "title", Json.Text(body, "pull_request", "title"));
        Json.Set(fields, "url", Json.Text(body, "pull_request", "html_url"));
        Json.Set(fields, "merged_by", Json.Text(body, "pull_request", "merged_by", "login") ?? Json.Text(body, "merged_by", "login") ?? "unknown");
        return fields;
    }

    private static JsonObject? IssueOpened(JsonElement? body)
    {
        if (Json.Text(body, "action") != "opened" || !Json.Has(body, "issue"))
        {
            return null;
        }

        var fields = new JsonObject();
        Json.Set(fields, "number", Json.Integer(body, "issue", "number"));
        Json.Set(fields, "repo", Json.Text(body, "repository", "full_name"));
        Json.Set(fields, "title", Json.Text(body, "issue", "title"));
        // GitHub sends "body": null for an issue opened without a description.
        Json.Set(fields, "body", Json.Text(body, "issue", "body") ?? string.Empty);
        Json.Set(fields, "author", Json.Text(body, "issue", "user", "login"));
        Json.Set(fields, "url", Json.Text(body, "issue", "html_url"));
        return fields;
    }

    private static JsonObject? IssueCommentCreated(JsonElement? body)
    {
        if (Json.Text(body, "action") != "created" || !Json.Has(body, "comment"))
        {
            return null;
        }

        var fields = new JsonObject();
        Json.Set(fields, "repo", Json.Text(body, "repository", "full_name"));
        Json.Set(fields, "issue_number", Json.Integer(body, "issue", "number"));
        Json.Set(fields, "body", Json.Text(body, "comment", "body") ?? string.Empty);
        Json.Set(fields, "author", Json.Text(body, "comment", "user", "login"));
        Json.Set(fields, "url", Json.Text(body, "comment", "html_url"));
        fields["on_pull_request"] = Json.Has(body, "issue", "pull_request");
        return fields;
    }

    private static JsonObject? Push(JsonElement? body)
    {
        if (!Json.Has(body, "ref") || !Json.Has(body, "pusher") || Json.Has(body, "action"))
        {
            return null;
        }

        var fields = new JsonObject();
        Json.Set(fields, "repo", Json.Text(body, "repository", "full_name"));
        Json.Set(fields, "ref", Json.Text(body, "ref"));
        Json.Set(fields, "before", Json.Text(body, "before"));
        Json.Set(fields, "after", Json.Text(body, "after"));
        Json.Set(fields, "pusher", Json.Text(body, "pusher", "name"));
        fields["commit_count"] = Json.Get(body, "commits") is { ValueKind: JsonValueKind.Array } commits ? commits.GetArrayLength() : 0;
        return fields;
    }
}
