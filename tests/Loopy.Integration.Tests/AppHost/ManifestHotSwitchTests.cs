using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loopy.Testing;

namespace Loopy.Integration.Tests.AppHost;

/// <summary>
/// The distributed AppHost with the Compiler service: a changed step file becomes the active manifest version without
/// a restart, a run started before the change finishes on the version it started with, and a project that stops
/// compiling leaves the last good version active with its diagnostics reported.
/// </summary>
[Collection(ServerOutages.Name)]
public sealed partial class ManifestHotSwitchTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_changed_step_file_is_activated_while_a_run_started_before_finishes_on_its_old_version()
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = TestServers.Postgres;
        var rabbitMq = TestServers.RabbitMq;
        var project = AppHostSmokeTests.CopyExample("hello");
        // The fake agent takes its time for the name "slow", so that run is in flight while the project changes.
        var script = Path.Combine(project, "scripts", "greet.sh");
        File.WriteAllText(script, File.ReadAllText(script).Replace("prompt=$(head -n 1)\n", "prompt=$(head -n 1)\ncase \"$prompt\" in *slow*) sleep 12 ;; esac\n", StringComparison.Ordinal));

        using var host = AppHostProcess.Start(["--distributed", "--servers", "external", "--runtimes", "2", "--base-port", "15480", "--project-dir", project], env =>
        {
            env["ConnectionStrings__postgres"] = postgres;
            env["ConnectionStrings__rabbitmq"] = rabbitMq;
            env.Remove("ConnectionStrings__redis");
            env["Loopy__Bus__EntityPrefix"] = $"hot{Guid.NewGuid():N}"[..16];
        });
        var lines = host.Lines;
        await host.WaitUntilReadyAsync(ct);
        var endpoints = lines.Select(l => EndpointLine().Match(l)).Where(m => m.Success).ToDictionary(m => m.Groups["name"].Value, m => new Uri(m.Groups["url"].Value));
        var token = lines.Select(l => DeveloperToken().Match(l)).First(m => m.Success).Groups["token"].Value;
        using var http = new HttpClient();

        var before = await ActiveVersionAsync(http, endpoints["compiler"], ct);
        var slow = await PostAsync(http, endpoints["receiver"], token, "slow", ct);
        await WaitForRunAsync(http, endpoints["runtime-1"], slow, status => status == "running", ct);

        // The shout step's prompt changes while the slow run's first step is still running.
        var shout = Path.Combine(project, "workflows", "greet", "shout.md");
        File.WriteAllText(shout, File.ReadAllText(shout).Replace("Shout this greeting: {{ compose.greeting }}", "Shout this greeting: {{ compose.greeting }} and more", StringComparison.Ordinal));
        var after = await PollAsync(async () => await ActiveVersionAsync(http, endpoints["compiler"], ct) is { } hash && hash != before ? hash : null, Deadline, "the new manifest version", ct);
        Assert.NotEqual(before, after);

        // New runs start on the new version (each Runtime switches within its poll interval; retry until one has).
        JsonElement fast = default;
        for (var i = 0; i < 20; i++)
        {
            fast = await WaitForRunAsync(http, endpoints["runtime-1"], await PostAsync(http, endpoints["receiver"], token, $"fast{i}", ct), status => status is "completed" or "failed", ct);
            if (Shouted(fast).EndsWith("AND MORE", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.EndsWith("AND MORE", Shouted(fast), StringComparison.Ordinal);
        var old = await WaitForRunAsync(http, endpoints["runtime-1"], slow, status => status is "completed" or "failed", ct);
        Assert.Equal("completed", old.GetProperty("status").GetString());
        Assert.Equal("HELLO, SLOW!", Shouted(old));
        Assert.NotEqual(old.GetProperty("manifest_hash").GetString(), fast.GetProperty("manifest_hash").GetString());

        // A project that no longer compiles keeps the last good version active and reports why.
        File.WriteAllText(Path.Combine(project, "registry.yml"), "agents: [this is: not valid\n");
        var report = await PollAsync(async () =>
        {
            var status = await http.GetFromJsonAsync<JsonElement>(new Uri(endpoints["compiler"], "/manifest"), ct);
            var last = status.GetProperty("last_compile");
            return last.ValueKind == JsonValueKind.Object && !last.GetProperty("succeeded").GetBoolean() ? (JsonElement?)status : null;
        }, Deadline, "the failed compile report", ct);
        Assert.Equal(after, report!.Value.GetProperty("active").GetString());
        Assert.Contains(report.Value.GetProperty("last_compile").GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "LOOPY-E001");

        await host.InterruptAndWaitAsync(ct);
    }

    private static async Task<string?> ActiveVersionAsync(HttpClient http, Uri compiler, CancellationToken ct) =>
        (await http.GetFromJsonAsync<JsonElement>(new Uri(compiler, "/manifest"), ct)).GetProperty("active").GetString();

    private static string Shouted(JsonElement run) =>
        run.GetProperty("steps").EnumerateArray().First(s => s.GetProperty("name").GetString() == "shout").GetProperty("output").GetProperty("shouted").GetString()!;

    private static async Task<string> PostAsync(HttpClient http, Uri receiver, string token, string name, CancellationToken ct)
    {
        var id = $"hot-{name}-{Guid.NewGuid():N}";
        return await PollAsync(async () =>
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver, "/events"));
            post.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            post.Content = new StringContent($$$"""{"id":"{{{id}}}","name":"Greet","fields":{"name":"{{{name}}}"}}""", System.Text.Encoding.UTF8, "application/json");
            using var response = await http.SendAsync(post, ct);
            return response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK ? id : null; // a 503 is retried
        }, Deadline, "the event's acceptance", ct);
    }

    /// <summary>The run of <paramref name="eventId"/> (with its steps) once its status satisfies <paramref name="done"/>.</summary>
    private static async Task<JsonElement> WaitForRunAsync(HttpClient http, Uri runtime, string eventId, Func<string?, bool> done, CancellationToken ct) =>
        (await PollAsync(async () =>
        {
            var runs = await http.GetFromJsonAsync<JsonElement>(new Uri(runtime, "/runs?workflow=greet&limit=500"), ct);
            var run = runs.EnumerateArray().Where(r => r.GetProperty("event_id").GetString() == eventId).Select(r => (JsonElement?)r).FirstOrDefault();
            if (run is null || !done(run.Value.GetProperty("status").GetString()))
            {
                return (JsonElement?)null;
            }

            return await http.GetFromJsonAsync<JsonElement>(new Uri(runtime, $"/runs/{run.Value.GetProperty("id").GetString()}"), ct);
        }, Deadline, $"the run of {eventId}", ct)).GetValueOrDefault();

    /// <summary>Asks <paramref name="probe"/> every 250 ms until it returns a value; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, CancellationToken ct)
    {
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (true)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet: ask again.
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"no {what} within {timeout.TotalSeconds:0} s");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    [GeneratedRegex(@"Bearer (?<token>dev-[0-9a-f]+)")]
    private static partial Regex DeveloperToken();

    [GeneratedRegex(@"^\[apphost\]\s+(?<name>[a-z0-9-]+)\s+(?<url>http://\S+)\s+\(pid (?<pid>\d+)\)")]
    private static partial Regex EndpointLine();
}
