namespace Loopy.SensorHost.Tests;

/// <summary>A manifest with the events the tests use; the sensors are given per test as JSON.</summary>
public static class TestManifest
{
    public const string Events = """
        "Github.PullRequestOpened": { "builtin": true, "fields": {
          "number": { "type": "integer" }, "repo": { "type": "string" }, "title": { "type": "string" },
          "branch": { "type": "string" }, "base": { "type": "string" }, "url": { "type": "string", "format": "uri" } } },
        "Github.Push": { "builtin": true, "fields": {
          "repo": { "type": "string" }, "ref": { "type": "string" }, "before": { "type": "string" },
          "after": { "type": "string" }, "pusher": { "type": "string" }, "commit_count": { "type": "integer" } } },
        "Incident": { "builtin": false, "fields": {
          "source": { "type": "string", "enum": ["sentry", "datadog", "manual"] },
          "service": { "type": "string" }, "title": { "type": "string" }, "link": { "type": "string", "format": "uri" } } },
        "Ping": { "builtin": false, "fields": { "n": { "type": "integer" } } },
        "Tick": { "builtin": false, "fields": { "last_run": { "type": "string" } } }
        """;

    public static string With(params string[] sensors) => $$"""
        {
          "schema_version": "2",
          "registry": { "events": { {{Events}} }, "agents": {}, "sandboxes": {} },
          "workflows": {},
          "sensors": [ {{string.Join(",\n", sensors)}} ],
          "lineage": { "events": {} }
        }
        """;

    public static string Builtin(string eventName, string provider) => $$"""
        { "name": "builtin:{{eventName}}", "emits": "{{eventName}}", "source": "builtin", "provider": "{{provider}}",
          "module": null, "fn": null, "declared": null, "trigger": { "kind": "webhook", "path": "/hooks/{{provider}}" } }
        """;

    public static string DeclaredWebhook(string name, string path, string emits, string declared) => $$"""
        { "name": "{{name}}", "emits": "{{emits}}", "source": "declared", "provider": null, "module": null, "fn": null,
          "trigger": { "kind": "webhook", "path": "{{path}}" }, "declared": {{declared}} }
        """;

    public static string DeclaredPoll(string name, string interval, string emits, string declared) => $$"""
        { "name": "{{name}}", "emits": "{{emits}}", "source": "declared", "provider": null, "module": null, "fn": null,
          "trigger": { "kind": "poll", "interval": "{{interval}}" }, "declared": {{declared}} }
        """;
}
