namespace Loopy.SensorHost.Tests;

/// <summary>Vendor payloads in their documented shapes (abridged: the keys Loopy reads plus typical neighbours).</summary>
public static class Payloads
{
    public const string PullRequestOpened = """
        {
          "action": "opened",
          "number": 42,
          "pull_request": {
            "url": "https://api.github.com/repos/octo-org/widgets/pulls/42",
            "id": 1924839231,
            "node_id": "PR_kwDOABCD1M5yuZ3f",
            "html_url": "https://github.com/octo-org/widgets/pull/42",
            "diff_url": "https://github.com/octo-org/widgets/pull/42.diff",
            "number": 42,
            "state": "open",
            "locked": false,
            "title": "Fix the flaky retry test",
            "user": { "login": "octocat", "id": 1, "type": "User" },
            "body": "Retries now wait on a deadline instead of sleeping.",
            "created_at": "2026-11-23T10:00:00Z",
            "updated_at": "2026-11-23T10:00:00Z",
            "closed_at": null,
            "merged_at": null,
            "merge_commit_sha": null,
            "draft": false,
            "head": { "label": "octocat:fix-flaky-retry", "ref": "fix-flaky-retry", "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                      "repo": { "id": 1296269, "full_name": "octocat/widgets" } },
            "base": { "label": "octo-org:main", "ref": "main", "sha": "9049f1265b7d61be4a8904a9a27120d2064dab3b",
                      "repo": { "id": 1296270, "full_name": "octo-org/widgets" } },
            "merged": false,
            "mergeable": null,
            "merged_by": null,
            "comments": 0,
            "commits": 3,
            "additions": 12,
            "deletions": 4,
            "changed_files": 2
          },
          "repository": {
            "id": 1296270,
            "name": "widgets",
            "full_name": "octo-org/widgets",
            "private": false,
            "owner": { "login": "octo-org", "id": 9919, "type": "Organization" },
            "html_url": "https://github.com/octo-org/widgets",
            "default_branch": "main"
          },
          "organization": { "login": "octo-org", "id": 9919 },
          "sender": { "login": "octocat", "id": 1, "type": "User" },
          "installation": { "id": 2311213 }
        }
        """;

    public const string PullRequestClosedUnmerged = """
        { "action": "closed", "number": 7,
          "pull_request": { "number": 7, "title": "Abandoned", "html_url": "https://github.com/octo-org/widgets/pull/7",
                            "merged": false, "merged_by": null, "head": { "ref": "x" }, "base": { "ref": "main" } },
          "repository": { "full_name": "octo-org/widgets" }, "sender": { "login": "octocat" } }
        """;

    public const string PullRequestMerged = """
        { "action": "closed", "number": 8,
          "pull_request": { "number": 8, "title": "Ship it", "html_url": "https://github.com/octo-org/widgets/pull/8",
                            "merged": true, "merged_by": { "login": "hubot" }, "head": { "ref": "y" }, "base": { "ref": "main" } },
          "repository": { "full_name": "octo-org/widgets" }, "sender": { "login": "hubot" } }
        """;

    public const string Push = """
        { "ref": "refs/heads/main", "before": "9049f1265b7d61be4a8904a9a27120d2064dab3b", "after": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
          "created": false, "deleted": false, "forced": false,
          "repository": { "full_name": "octo-org/widgets" },
          "pusher": { "name": "octocat", "email": "octocat@github.com" },
          "sender": { "login": "octocat" },
          "commits": [ { "id": "6dcb09b5", "message": "one" }, { "id": "7fcb09b5", "message": "two" } ],
          "head_commit": { "id": "6dcb09b5" } }
        """;

    public const string IssueCommentOnPullRequest = """
        { "action": "created",
          "issue": { "number": 42, "title": "Fix", "html_url": "https://github.com/octo-org/widgets/pull/42",
                     "pull_request": { "url": "https://api.github.com/repos/octo-org/widgets/pulls/42" }, "user": { "login": "octocat" } },
          "comment": { "id": 1, "body": "/loopy review", "html_url": "https://github.com/octo-org/widgets/pull/42#issuecomment-1",
                       "user": { "login": "hubot" } },
          "repository": { "full_name": "octo-org/widgets" } }
        """;

    public const string IssueOpened = """
        { "action": "opened",
          "issue": { "number": 5, "title": "Crash on start", "body": null, "html_url": "https://github.com/octo-org/widgets/issues/5",
                     "user": { "login": "octocat" }, "state": "open" },
          "repository": { "full_name": "octo-org/widgets" } }
        """;

    public const string SentryIssueCreated = """
        { "action": "created",
          "installation": { "uuid": "7a485448-a9e2-4c85-8a3c-4f44175783c9" },
          "data": { "issue": { "id": "1170820242", "shortId": "FRONT-1", "title": "Error: Something broke", "culprit": "app/components/Checkout in render",
                               "level": "error", "status": "unresolved", "project": { "id": "1", "name": "front-end", "slug": "front-end", "platform": "javascript" },
                               "web_url": "https://sentry.io/organizations/acme/issues/1170820242/",
                               "url": "https://sentry.io/api/0/organizations/acme/issues/1170820242/" } },
          "actor": { "type": "application", "id": "sentry", "name": "Sentry" } }
        """;

    public const string SentryEventAlert = """
        { "action": "triggered",
          "data": { "event": { "event_id": "e4874d664c3540c1a32eab185f12c5ab", "issue_id": "1117540176", "title": "Error: boom",
                               "culprit": "worker in run", "level": "fatal",
                               "web_url": "https://sentry.io/organizations/acme/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/" },
                    "triggered_rule": "Page on fatal" },
          "actor": { "type": "application", "id": "sentry", "name": "Sentry" } }
        """;

    public const string DatadogAlert = """
        { "id": "7006581349176590000", "monitor_id": "12345678", "title": "[Triggered] CPU high on web-1", "body": "CPU above 90% for 5m",
          "alert_type": "error", "priority": "P1", "metric": "system.cpu.user", "scope": "host:web-1", "host": "web-1",
          "transition": "Triggered", "url": "https://app.datadoghq.com/monitors/12345678" }
        """;

    public const string DatadogRecovered = """
        { "id": "7006581349176590001", "monitor_id": "12345678", "title": "[Recovered] CPU high on web-1", "body": "",
          "alert_type": "success", "priority": "P1", "metric": "system.cpu.user", "scope": "host:web-1", "host": "web-1",
          "transition": "Recovered", "url": "https://app.datadoghq.com/monitors/12345678" }
        """;
}
