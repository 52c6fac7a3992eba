using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Loopy.Testing;

namespace Loopy.Integration.Tests.AppHost;

/// <summary>
/// Starts the real AppHost as a process against the real servers: every service it starts answers
/// <c>/health</c>, and SIGINT (Ctrl-C) stops every child it started.
/// </summary>
[Collection(ServerOutages.Name)]
public partial class AppHostSmokeTests
{
    [Fact]
    public async Task Starts_every_service_healthy_and_Ctrl_C_leaves_no_child_behind()
    {
        var postgres = TestServers.Postgres;
        var rabbitMq = TestServers.RabbitMq;
        var redis = TestServers.Redis;
        await RunDistributedAsync(["--servers", "external", "--runtime-replicas", "2"], env =>
        {
            env["ConnectionStrings__postgres"] = postgres;
            env["ConnectionStrings__rabbitmq"] = rabbitMq;
            env["ConnectionStrings__redis"] = redis;
        });
    }

    [Fact]
    public async Task Distributed_on_the_Redis_bus_with_two_runtimes_runs_an_event_and_Ctrl_C_leaves_no_child_behind()
    {
        var postgres = TestServers.Postgres;
        var redis = TestServers.Redis;
        var prefix = await RunDistributedAsync(["--distributed", "--bus", "redis", "--runtimes", "2"], env =>
        {
            env["ConnectionStrings__postgres"] = postgres;
            env["ConnectionStrings__redis"] = redis;
            env.Remove("ConnectionStrings__rabbitmq");
        });

        // The event travelled on Redis Streams: the bus's stream for Greet exists under this test's prefix.
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis);
        Assert.True(await connection.GetDatabase().KeyExistsAsync($"{prefix}:event:Greet"), $"no Redis stream {prefix}:event:Greet");
    }

    /// <summary>
    /// Starts the distributed AppHost with <paramref name="arguments"/>, checks every service's <c>/health</c>, posts
    /// an event that must become a completed run, stops it with SIGINT and finds no child left. Returns the private
    /// bus prefix the services used. The ports start at one that is free now (the machine may run other test runs).
    /// </summary>
    private static async Task<string> RunDistributedAsync(string[] arguments, Action<IDictionary<string, string?>> servers)
    {
        var ct = TestContext.Current.CancellationToken;
        var prefix = $"smoke{Guid.NewGuid():N}"[..16];
        arguments = [.. arguments, "--base-port", FreeBasePort().ToString(System.Globalization.CultureInfo.InvariantCulture)];
        using var host = AppHost.AppHostProcess.Start(arguments, env =>
        {
            servers(env);
            // The children inherit the AppHost's environment: a private bus namespace for this test.
            env["Loopy__Bus__EntityPrefix"] = prefix;
        });
        var lines = host.Lines;
        await host.WaitUntilReadyAsync(ct);
        var endpoints = lines.Select(l => EndpointLine().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(["receiver", "sensorhost", "runtime-1", "runtime-2", "compiler"], endpoints.Select(m => m.Groups["name"].Value));
        using var http = new HttpClient();
        foreach (var endpoint in endpoints)
        {
            var health = await http.GetAsync(new Uri(new Uri(endpoint.Groups["url"].Value), "/health"), ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        // The AppHost compiled examples/hello and wired a producer token: an event goes through the
        // Receiver, over RabbitMQ, to a Runtime replica, and the run completes.
        var token = lines.Select(l => DeveloperToken().Match(l)).First(m => m.Success).Groups["token"].Value;
        var eventId = await PostEventAsync(http, new Uri(endpoints[0].Groups["url"].Value), token, "smoke", ct);
        await WaitForCompletedRunAsync(http, new Uri(endpoints[2].Groups["url"].Value), eventId, lines, ct);

        await host.InterruptAndWaitAsync(ct);
        Assert.Equal(0, host.ExitCode);

        var childPids = endpoints.Select(m => int.Parse(m.Groups["pid"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(childPids, pid => Assert.False(IsRunning(pid), $"child {pid} is still running after Ctrl-C"));
        return prefix;
    }

    /// <summary>Posts a Greet event with the developer token, retrying the 503s of a bus still connecting; returns its id.</summary>
    private static async Task<string> PostEventAsync(HttpClient http, Uri receiver, string token, string name, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver, "/events"));
            post.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            post.Content = new StringContent("{\"id\":\"smoke-" + Guid.NewGuid().ToString("N") + "\",\"name\":\"Greet\",\"fields\":{\"name\":\"" + name + "\"}}", System.Text.Encoding.UTF8, "application/json");
            using var accepted = await http.SendAsync(post, ct);
            if (accepted.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 20)
            {
                // The bus connects lazily; a producer retries a 503.
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
                continue;
            }

            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            return (await accepted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct)).GetProperty("id").GetString()!;
        }
    }

    /// <summary>Waits (up to 90 s) for the greet run of <paramref name="eventId"/> to finish and asserts it completed.</summary>
    private static async Task WaitForCompletedRunAsync(HttpClient http, Uri runtime, string eventId, IEnumerable<string> lines, CancellationToken ct)
    {
        string? status = null;
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(90);
        while (status is not ("completed" or "failed") && TimeProvider.System.GetUtcNow() < deadline)
        {
            var runs = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri(runtime, "/runs?workflow=greet&limit=500"), ct);
            status = runs.EnumerateArray().Where(r => r.GetProperty("event_id").GetString() == eventId)
                .Select(r => r.GetProperty("status").GetString()).FirstOrDefault();
            if (status is not ("completed" or "failed"))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
        }

        Assert.True(status == "completed", $"the run of {eventId} is {status ?? "missing"}:\n" + string.Join('\n', lines.TakeLast(80)));
    }

    /// <summary>A base port free now (the machine may run other test runs), below the AppHost's 65000 with room above it.</summary>
    private static int FreeBasePort()
    {
        int basePort;
        do
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            basePort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        while (basePort >= 64000);

        return basePort;
    }

    [Fact]
    public async Task A_port_taken_after_planning_moves_the_Receiver_to_a_free_port()
    {
        // The plan is printed before the Compiler service starts; the Receiver starts only once that is healthy,
        // so its planned port is taken before the AppHost checks it again.
        await RunWithTheReceiverPortTakenAsync(
            (host, ct) => host.WaitForLineAsync(l => PlannedLine().Match(l) is { Success: true } m && m.Groups["name"].Value == "receiver", TimeSpan.FromSeconds(120), ct),
            PlannedLine(),
            port => $"port {port} was taken after planning: receiver starts on port");
    }

    [Fact]
    public async Task A_port_taken_between_the_check_and_the_bind_restarts_the_Receiver_once_on_a_free_port()
    {
        // "starting receiver on port N" is printed after the port was checked free and before the child process is
        // started; the child's runtime and host take far longer to reach Kestrel's bind than this test takes to take
        // the port, so the first Receiver fails to bind and the AppHost must start it again elsewhere.
        var lines = await RunWithTheReceiverPortTakenAsync(
            (host, ct) => host.WaitForLineAsync(l => StartingLine().Match(l) is { Success: true } m && m.Groups["name"].Value == "receiver", TimeSpan.FromSeconds(120), ct),
            StartingLine(),
            port => $"port {port} was already in use: starting receiver again on port");

        Assert.Contains(lines, l => l.StartsWith("[receiver]", StringComparison.Ordinal) && l.Contains("address already in use", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(lines, l => l.Contains("was taken after planning", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => StartingLine().Match(l) is { Success: true } m && m.Groups["name"].Value == "receiver"));
    }

    /// <summary>
    /// Starts the distributed AppHost (one Runtime, a private database and bus prefix), takes the Receiver's port as
    /// soon as <paramref name="portLine"/> returns the line that names it, and checks that the AppHost printed
    /// <paramref name="movedMessage"/>, that every service is healthy with the Receiver elsewhere, and that events
    /// posted to the moved Receiver, directly and through the SensorHost's webhook, become completed runs.
    /// Returns the AppHost's output.
    /// </summary>
    private static async Task<IReadOnlyList<string>> RunWithTheReceiverPortTakenAsync(
        Func<AppHostProcess, CancellationToken, Task<string>> portLine, Regex portPattern, Func<int, string> movedMessage)
    {
        var ct = TestContext.Current.CancellationToken;
        var rabbitMq = TestServers.RabbitMq;
        await using var database = await TestDatabase.CreateAsync(TestServers.Postgres, ct, "loopy_ports");
        var project = CopyExample("hello");
        // A loopback webhook that emits Greet: it reaches a run only if the SensorHost was given the Receiver's real URL.
        Directory.CreateDirectory(Path.Combine(project, "sensors"));
        File.WriteAllText(Path.Combine(project, "sensors", "greet.yml"), "greet_webhook:\n  webhook: /hooks/greet\n  emits: Greet\n  map: { name: $.name }\n");
        try
        {
            using var host = AppHostProcess.Start(
                ["--servers", "external", "--runtimes", "1", "--project", project, "--base-port", FreeBasePort().ToString(System.Globalization.CultureInfo.InvariantCulture)],
                env =>
                {
                    env["ConnectionStrings__postgres"] = database.ConnectionString;
                    env["ConnectionStrings__rabbitmq"] = rabbitMq;
                    env.Remove("ConnectionStrings__redis");
                    env["Loopy__Bus__EntityPrefix"] = $"ports{Guid.NewGuid():N}"[..16];
                    env["Loopy__SensorHost__AllowUnverifiedOnLoopback"] = "true";
                });
            var lines = host.Lines;

            var takenPort = int.Parse(portPattern.Match(await portLine(host, ct)).Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
            using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, takenPort);
            try
            {
                squatter.Start();
            }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                // The child bound before the test could take the port (a host normally needs most of a second to reach
                // its bind): the race this test provokes went the other way, so there is nothing to check this time.
                Assert.Skip($"the child bound port {takenPort} before the test could take it");
            }

            await host.WaitUntilReadyAsync(ct);
            Assert.Single(lines, l => l.Contains(movedMessage(takenPort), StringComparison.Ordinal));
            var endpoints = lines.Select(l => EndpointLine().Match(l)).Where(m => m.Success)
                .ToDictionary(m => m.Groups["name"].Value, m => new Uri(m.Groups["url"].Value));
            Assert.Equal(["receiver", "sensorhost", "runtime-1", "compiler"], endpoints.Keys);
            Assert.NotEqual(takenPort, endpoints["receiver"].Port);
            using var http = new HttpClient();
            foreach (var url in endpoints.Values)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(url, "/health"), ct)).StatusCode);
            }

            // Events flow through the moved Receiver: one posted directly, one through the SensorHost's webhook.
            var token = lines.Select(l => DeveloperToken().Match(l)).First(m => m.Success).Groups["token"].Value;
            var direct = await PostEventAsync(http, endpoints["receiver"], token, "moved", ct);
            await WaitForCompletedRunAsync(http, endpoints["runtime-1"], direct, lines, ct);

            using var hook = await http.PostAsync(
                new Uri(endpoints["sensorhost"], "/hooks/greet"), new StringContent("{\"name\":\"hooked\"}", System.Text.Encoding.UTF8, "application/json"), ct);
            var answer = await hook.Content.ReadAsStringAsync(ct);
            Assert.True(hook.StatusCode == HttpStatusCode.Accepted, $"the webhook got {(int)hook.StatusCode}: {answer}");
            var hooked = System.Text.Json.JsonDocument.Parse(answer).RootElement.GetProperty("ids")[0].GetString()!;
            await WaitForCompletedRunAsync(http, endpoints["runtime-1"], hooked, lines, ct);

            await host.InterruptAndWaitAsync(ct);
            Assert.Equal(0, host.ExitCode);
            return [.. lines];
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    [GeneratedRegex(@"^\[apphost\]\s+starting (?<name>[a-z0-9-]+) on port (?<port>\d+)$")]
    private static partial Regex StartingLine();

    [GeneratedRegex(@"^\[apphost\]\s+planned (?<name>[a-z0-9-]+) on port (?<port>\d+)")]
    private static partial Regex PlannedLine();

    [Fact]
    public async Task By_default_it_runs_standalone_in_one_process_and_accepts_events()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = CopyExample("hello");
        using var host = AppHost.AppHostProcess.Start(["--project", project, "--base-port", "15280"], env =>
        {
            env.Remove("ConnectionStrings__postgres");
            env.Remove("ConnectionStrings__rabbitmq");
            env.Remove("ConnectionStrings__redis");
        });
        var lines = host.Lines;
        try
        {
            await host.WaitUntilReadyAsync(ct);
            Assert.Contains(lines, l => l.Contains("Loopy (standalone)", StringComparison.Ordinal));

            using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:15280") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health", UriKind.Relative), ct)).StatusCode);
            var token = lines.Select(l => DeveloperToken().Match(l)).First(m => m.Success).Groups["token"].Value;
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri("/events", UriKind.Relative))
            {
                Content = new StringContent("{\"name\":\"Greet\",\"fields\":{\"name\":\"standalone\"}}", System.Text.Encoding.UTF8, "application/json"),
            };
            post.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var accepted = await http.SendAsync(post, ct);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

            // The event becomes a finished run, visible through the inspection API.
            System.Text.Json.JsonElement run = default;
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(90);
            while (TimeProvider.System.GetUtcNow() < deadline)
            {
                var runs = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("/runs?workflow=greet", UriKind.Relative), ct);
                if (runs.EnumerateArray().FirstOrDefault(r => r.GetProperty("status").GetString() is "completed" or "failed") is { ValueKind: System.Text.Json.JsonValueKind.Object } finished)
                {
                    run = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri($"/runs/{finished.GetProperty("id").GetString()}", UriKind.Relative), ct);
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }

            Assert.True(run.ValueKind == System.Text.Json.JsonValueKind.Object, "no greet run finished within 90 s:\n" + string.Join('\n', lines));
            Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
            var shout = run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "shout");
            Assert.Equal("HELLO, STANDALONE!", shout.GetProperty("output").GetProperty("shouted").GetString());
            Assert.True(File.Exists(Path.Combine(project, ".loopy", "state.db")), "the standalone state is SQLite under the project's .loopy/");

            await host.InterruptAndWaitAsync(ct);
            Assert.Equal(0, host.ExitCode);
        }
        finally
        {
            host.Dispose();
            Directory.Delete(project, recursive: true);
        }
    }

    /// <summary>A private copy of an example project, so a test's manifest and state never touch the repository's.</summary>
    internal static string CopyExample(string name)
    {
        var source = Path.Combine(RepositoryRoot.Path, "examples", name);
        var target = Directory.CreateTempSubdirectory($"loopy-{name}-").FullName;

        // Agents run as an unprivileged user when the tests run as root: the project must be readable by it.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith(".loopy", StringComparison.Ordinal) || relative == "manifest.json" || relative.StartsWith("contract", StringComparison.Ordinal))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }

        return target;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Bearer (?<token>dev-[0-9a-f]+)")]
    private static partial Regex DeveloperToken();

    [GeneratedRegex(@"^\[apphost\]\s+(?<name>[a-z0-9-]+)\s+(?<url>http://\S+)\s+\(pid (?<pid>\d+)\)")]
    private static partial Regex EndpointLine();
}
