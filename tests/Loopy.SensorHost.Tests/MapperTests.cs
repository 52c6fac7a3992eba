using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.SensorHost.Mapping;

namespace Loopy.SensorHost.Tests;

/// <summary>The built-in vendor mappers (AUTHORING.md §4.5) and the declarative map/when of §4.2.</summary>
public sealed class MapperTests
{
    [Fact]
    public void Pull_request_opened_maps_every_field_from_the_documented_sources()
    {
        var events = new GithubMapper("Github.PullRequestOpened").Map(Parse(Payloads.PullRequestOpened));
        var fields = Assert.Single(events).Fields;
        Assert.Equal(42, fields["number"]!.GetValue<long>());
        Assert.Equal("octo-org/widgets", (string?)fields["repo"]);
        Assert.Equal("Fix the flaky retry test", (string?)fields["title"]);
        Assert.Equal("fix-flaky-retry", (string?)fields["branch"]);
        Assert.Equal("main", (string?)fields["base"]);
        Assert.Equal("https://github.com/octo-org/widgets/pull/42", (string?)fields["url"]);
        Assert.Equal(6, fields.Count);
    }

    [Fact]
    public void A_delivery_that_is_not_the_mappers_event_yields_nothing()
    {
        Assert.Empty(new GithubMapper("Github.PullRequestOpened").Map(Parse(Payloads.PullRequestClosedUnmerged)));
        Assert.Empty(new GithubMapper("Github.PullRequestMerged").Map(Parse(Payloads.PullRequestClosedUnmerged)));
        Assert.Empty(new GithubMapper("Github.Push").Map(Parse(Payloads.PullRequestOpened)));
        Assert.Empty(new GithubMapper("Github.IssueOpened").Map(Parse(Payloads.PullRequestOpened)));
        Assert.Empty(new GithubMapper("Github.PullRequestOpened").Map(Parse(Payloads.Push)));
        Assert.Empty(new GithubMapper("Github.PullRequestOpened").Map(null));
        Assert.Empty(new SentryMapper("Sentry.IssueCreated").Map("event_alert", Parse(Payloads.SentryIssueCreated)));
        Assert.Empty(new SentryMapper("Sentry.IssueResolved").Map("issue", Parse(Payloads.SentryIssueCreated)));
        Assert.Empty(new DatadogMapper("Datadog.MonitorRecovered").Map(Parse(Payloads.DatadogAlert)));
        Assert.Empty(new DatadogMapper("Datadog.MonitorAlerted").Map(Parse(Payloads.DatadogRecovered)));
        Assert.Empty(new DatadogMapper("Datadog.MonitorAlerted").Map(Parse(Payloads.Push)));
    }

    [Fact]
    public void Merged_pull_request_push_issue_and_comment_map_per_the_table()
    {
        var merged = Assert.Single(new GithubMapper("Github.PullRequestMerged").Map(Parse(Payloads.PullRequestMerged))).Fields;
        Assert.Equal("hubot", (string?)merged["merged_by"]);
        Assert.Equal(8, merged["number"]!.GetValue<long>());

        var push = Assert.Single(new GithubMapper("Github.Push").Map(Parse(Payloads.Push))).Fields;
        Assert.Equal("refs/heads/main", (string?)push["ref"]);
        Assert.Equal("octocat", (string?)push["pusher"]);
        Assert.Equal(2, push["commit_count"]!.GetValue<int>());

        var issue = Assert.Single(new GithubMapper("Github.IssueOpened").Map(Parse(Payloads.IssueOpened))).Fields;
        Assert.Equal(string.Empty, (string?)issue["body"]);
        Assert.Equal("octocat", (string?)issue["author"]);

        var comment = Assert.Single(new GithubMapper("Github.IssueCommentCreated").Map(Parse(Payloads.IssueCommentOnPullRequest))).Fields;
        Assert.True(comment["on_pull_request"]!.GetValue<bool>());
        Assert.Equal(42, comment["issue_number"]!.GetValue<long>());
        Assert.Equal("hubot", (string?)comment["author"]);
    }

    [Fact]
    public void Sentry_issue_and_alert_and_Datadog_monitor_map_from_the_vendor_payloads()
    {
        var created = Assert.Single(new SentryMapper("Sentry.IssueCreated").Map("issue", Parse(Payloads.SentryIssueCreated))).Fields;
        Assert.Equal("1170820242", (string?)created["issue_id"]);
        Assert.Equal("error", (string?)created["level"]);
        Assert.Equal("front-end", (string?)created["project"]);
        Assert.Equal("https://sentry.io/organizations/acme/issues/1170820242/", (string?)created["url"]);

        var alert = Assert.Single(new SentryMapper("Sentry.AlertTriggered").Map("event_alert", Parse(Payloads.SentryEventAlert))).Fields;
        Assert.Equal("Page on fatal", (string?)alert["rule"]);
        Assert.Equal("1117540176", (string?)alert["issue_id"]);

        var monitor = Assert.Single(new DatadogMapper("Datadog.MonitorAlerted").Map(Parse(Payloads.DatadogAlert))).Fields;
        Assert.Equal(10, monitor.Count);
        Assert.Equal("Triggered", (string?)monitor["transition"]);
        var recovered = Assert.Single(new DatadogMapper("Datadog.MonitorRecovered").Map(Parse(Payloads.DatadogRecovered))).Fields;
        Assert.Equal(["monitor_id", "title", "scope", "host", "url"], recovered.Select(f => f.Key));
    }

    [Fact]
    public void Declarative_map_reads_paths_array_indexes_literals_and_escaped_dollars_and_leaves_missing_paths_out()
    {
        var mapper = new DeclarativeMapper(
            "Incident",
            Parse("""{"source": "manual", "title": "$.incident.title", "first": "$.items[1].id", "price": "$$5", "count": 3, "gone": "$.nope.nothing", "whole": "$"}"""),
            null);
        var body = Parse("""{"incident": {"title": "db down"}, "items": [{"id": "a"}, {"id": "b"}]}""");
        var fields = Assert.Single(mapper.Map(body)).Fields;
        Assert.Equal("manual", (string?)fields["source"]);
        Assert.Equal("db down", (string?)fields["title"]);
        Assert.Equal("b", (string?)fields["first"]);
        Assert.Equal("$5", (string?)fields["price"]);
        Assert.Equal(3, fields["count"]!.GetValue<int>());
        Assert.False(fields.ContainsKey("gone"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(body!.Value.GetRawText()), fields["whole"]));
    }

    [Fact]
    public void Declarative_when_must_match_every_condition()
    {
        var mapper = new DeclarativeMapper("Incident", Parse("""{"title": "$.t"}"""), Parse("""{"$.action": "opened", "$.meta.level": 3}"""));
        Assert.Single(mapper.Map(Parse("""{"action": "opened", "meta": {"level": 3}, "t": "x"}""")));
        Assert.Empty(mapper.Map(Parse("""{"action": "closed", "meta": {"level": 3}}""")));
        Assert.Empty(mapper.Map(Parse("""{"action": "opened", "meta": {"level": "3"}}""")));
        Assert.Empty(mapper.Map(Parse("""{"action": "opened"}""")));
    }

    [Theory]
    [InlineData("$.a.b", true, "1")]
    [InlineData("$.list[0]", true, "\"x\"")]
    [InlineData("$.list[5]", false, "")]
    [InlineData("$.a.c", false, "")]
    [InlineData("$.a[0]", false, "")]
    [InlineData("$..a", false, "")]
    public void Json_paths_resolve_members_and_indexes(string path, bool found, string raw)
    {
        var body = Parse("""{"a": {"b": 1}, "list": ["x", "y"]}""");
        Assert.Equal(found, JsonPath.TryResolve(body, path, out var value));
        if (found)
        {
            Assert.Equal(raw, value.GetRawText());
        }
    }

    private static JsonElement? Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
