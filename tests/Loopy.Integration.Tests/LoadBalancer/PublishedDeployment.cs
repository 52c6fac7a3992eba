using System.Text.Json;
using Loopy.Testing;
using Npgsql;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// The distributed shape of <c>deploy/compose.yaml</c> on loopback, from the published host outputs: the Compiler
/// service compiles a small project and activates it in Postgres, Receivers and Runtimes read the active version from
/// there. Each deployment has a database and a RabbitMQ entity prefix of its own. The project has one event,
/// <c>Ping {n: str}</c>, and one workflow, <c>pinged</c>, whose single step runs a short shell agent.
/// </summary>
public sealed class PublishedDeployment : IAsyncDisposable
{
    public const string Workflow = "pinged";

    /// <summary>The workflow started by a GitHub pull request opened (the built-in <c>/hooks/github</c> sensor).</summary>
    public const string ReviewWorkflow = "reviewed";

    /// <summary>The producer secret the SensorHost presents to the Receivers.</summary>
    public const string SensorHostSecret = "lb-test-sensorhost-secret";

    /// <summary>The GitHub webhook secret the SensorHost verifies deliveries with.</summary>
    public const string GitHubSecret = "lb-test-github-webhook-secret";

    private readonly TestDatabase _database;
    private readonly Dictionary<string, string> _common;
    private readonly List<HostProcess> _processes = [];

    private PublishedDeployment(TestDatabase database, string root, Dictionary<string, string> common)
    {
        _database = database;
        Root = root;
        _common = common;
    }

    public string Database => _database.Name;

    /// <summary>A temp folder holding the project (<c>project/</c>) and the hosts' data folders.</summary>
    public string Root { get; }

    public string ConnectionString => _common["ConnectionStrings__postgres"];

    /// <summary>Where the Compiler service writes the active manifest for the SensorHost (a shared volume in compose).</summary>
    public string ManifestPath => Path.Combine(Root, "manifest", "manifest.json");

    public static async Task<PublishedDeployment> CreateAsync(string postgres, string rabbitmq, CancellationToken cancellationToken)
    {
        var database = await TestDatabase.CreateAsync(postgres, cancellationToken, "loopy_dp");
        var root = Directory.CreateTempSubdirectory("loopy-deploy-").FullName;
        WriteProject(Path.Combine(root, "project"));
        var common = new Dictionary<string, string>
        {
            ["ConnectionStrings__postgres"] = database.ConnectionString,
            ["ConnectionStrings__rabbitmq"] = rabbitmq,
            ["ConnectionStrings__redis"] = string.Empty,
            ["Loopy__Bus__EntityPrefix"] = $"dp{Guid.NewGuid():N}"[..14],
            ["Loopy__Manifest__Source"] = "postgres",
        };
        return new PublishedDeployment(database, root, common);
    }

    /// <summary>The Compiler service (as the compose <c>compiler</c> service), started and healthy: the project's version is active.</summary>
    public async Task<HostProcess> StartCompilerAsync(int port, CancellationToken cancellationToken)
    {
        var compiler = await CreateAsync("compiler", "compiler", "Loopy.Compiler.Host.dll", port, new()
        {
            ["Loopy__Compiler__ProjectDir"] = Path.Combine(Root, "project"),
            ["Loopy__Compiler__ManifestPath"] = ManifestPath,
            ["shutdownTimeoutSeconds"] = "5",
        }, cancellationToken);
        compiler.Start();
        await compiler.WaitHealthyAsync(cancellationToken);
        return compiler;
    }

    /// <summary>A Receiver (as the compose <c>receiver</c> service) with one producer whose bearer secret is <see cref="ReceiverDeployment.Secret"/>.</summary>
    public Task<HostProcess> ReceiverAsync(string name, int port, CancellationToken cancellationToken) =>
        CreateAsync(name, "receiver", "Loopy.Receiver.Host.dll", port, new()
        {
            ["Loopy__DataDirectory"] = DataDirectory(name),
            ["Loopy__Receiver__RateLimitPerSecond"] = "0",
            ["Loopy__Receiver__Producers__0__Name"] = "producer",
            ["Loopy__Receiver__Producers__0__Secret"] = ReceiverDeployment.Secret,
            ["Loopy__Receiver__Producers__0__Events__0"] = "*",
            ["Loopy__Receiver__Producers__1__Name"] = "sensorhost",
            ["Loopy__Receiver__Producers__1__Secret"] = SensorHostSecret,
            ["Loopy__Receiver__Producers__1__Events__0"] = "*",
            ["shutdownTimeoutSeconds"] = "15",
        }, cancellationToken);

    /// <summary>
    /// The SensorHost (as the compose <c>sensorhost</c> service): the manifest file the Compiler service writes, the
    /// project, the load balancer as its Receiver, the GitHub webhook secret from the environment.
    /// </summary>
    public Task<HostProcess> SensorHostAsync(string name, int port, Uri receiverUrl, CancellationToken cancellationToken) =>
        CreateAsync(name, "sensorhost", "Loopy.SensorHost.Host.dll", port, new()
        {
            ["Loopy__SensorHost__ManifestPath"] = ManifestPath,
            ["Loopy__SensorHost__ProjectRoot"] = Path.Combine(Root, "project"),
            ["Loopy__SensorHost__ReceiverUrl"] = receiverUrl.ToString(),
            ["Loopy__SensorHost__ProducerSecret"] = SensorHostSecret,
            ["GITHUB_WEBHOOK_SECRET"] = GitHubSecret,
            ["shutdownTimeoutSeconds"] = "15",
        }, cancellationToken);

    /// <summary>
    /// A Runtime replica (as the compose <c>runtime</c> service) named <paramref name="name"/> in leases and history,
    /// with a 5 s step lease so a killed replica's steps are taken over within seconds.
    /// </summary>
    public Task<HostProcess> RuntimeAsync(string name, int port, CancellationToken cancellationToken) =>
        CreateAsync(name, "runtime", "Loopy.Runtime.Host.dll", port, new()
        {
            ["Loopy__DataDirectory"] = DataDirectory(name),
            ["Loopy__Runtime__ProjectRoot"] = Path.Combine(Root, "project"),
            ["Loopy__Runtime__ReplicaId"] = name,
            ["Loopy__Runtime__LeaseDuration"] = "00:00:05",
            ["shutdownTimeoutSeconds"] = "15",
        }, cancellationToken);

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>The runs of <paramref name="workflow"/> (default <see cref="Workflow"/>) whose event id starts with <paramref name="prefix"/>.</summary>
    public async Task<IReadOnlyList<RunRow>> RunsAsync(string prefix, CancellationToken cancellationToken, string workflow = Workflow)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("""
            SELECT r.event_id, r.status,
                   (SELECT count(*) FROM runtime_run_history h WHERE h.run_id = r.id AND h.kind = 'step_completed')
            FROM runtime_runs r WHERE r.workflow = @workflow AND r.event_id LIKE @prefix
            """, connection);
        query.Parameters.AddWithValue("workflow", workflow);
        query.Parameters.AddWithValue("prefix", prefix + "%");
        var rows = new List<RunRow>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new RunRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return rows;
    }

    /// <summary>The steps running under a lease of <paramref name="owner"/>: (step row id, started at, ms since epoch).</summary>
    public async Task<IReadOnlyList<(string Id, long StartedAt)>> RunningStepsAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand("SELECT id, coalesce(started_at, 0) FROM runtime_steps WHERE status = 'running' AND lease_owner = @owner", connection);
        query.Parameters.AddWithValue("owner", owner);
        var rows = new List<(string, long)>();
        await using var reader = await query.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    /// <summary>One step's state and the workers its attempts started on, in order.</summary>
    public async Task<(string Status, int Attempt, IReadOnlyList<string> Workers)> StepAsync(string stepId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var step = new NpgsqlCommand("SELECT status, attempt, run_id, step_id FROM runtime_steps WHERE id = @id", connection);
        step.Parameters.AddWithValue("id", stepId);
        string status, runId, name;
        int attempt;
        await using (var reader = await step.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException($"no step {stepId}");
            }

            (status, attempt, runId, name) = (reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3));
        }

        await using var history = new NpgsqlCommand(
            "SELECT payload FROM runtime_run_history WHERE run_id = @run AND step_id = @step AND kind = 'step_started' ORDER BY id", connection);
        history.Parameters.AddWithValue("run", runId);
        history.Parameters.AddWithValue("step", name);
        var workers = new List<string>();
        await using (var reader = await history.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                using var payload = JsonDocument.Parse(reader.GetString(0));
                workers.Add(payload.RootElement.GetProperty("worker").GetString() ?? string.Empty);
            }
        }

        return (status, attempt, workers);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        await _database.DisposeAsync();

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }

    private async Task<HostProcess> CreateAsync(string name, string image, string assembly, int port, Dictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(_common);
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = new HostProcess(name, await PublishedHosts.AssemblyAsync(image, assembly, cancellationToken), port, environment);
        _processes.Add(process);
        return process;
    }

    private string DataDirectory(string name) => Directory.CreateDirectory(Path.Combine(Root, "data", name)).FullName;

    private static void WriteProject(string project)
    {
        Write(project, "registry.yml", """
            defaults:
              agent: { sandbox: default, harness: exec, model: script-v1 }
            sandboxes:
              default: { provider: local }
            agents:
              Handler: { command: [sh, scripts/handle.sh] }
            events:
              Ping: { n: str }
            """);
        // A fifth of a second per step, so that steps are under way when a Runtime is killed.
        Write(project, "scripts/handle.sh", """
            cat >/dev/null
            sleep 0.2
            echo '{"output": {"ok": true}}'
            """);
        Write(project, $"workflows/{Workflow}/handle.md", "---\non: Ping\nagent: Handler\noutput: { ok: bool }\n---\nHandle {{ event.n }}.");
        Write(project, $"workflows/{ReviewWorkflow}/check.md",
            "---\non: Github.PullRequestOpened\nagent: Handler\noutput: { ok: bool }\n---\nCheck pull request {{ event.number }} of {{ event.repo }}.");

        // Agents run as an unprivileged user when the tests run as root (the local provider): the project must be
        // readable by it, as a read-only volume is in a container.
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            for (var directory = new DirectoryInfo(project); directory is not null && directory.FullName != Path.GetTempPath().TrimEnd('/'); directory = directory.Parent)
            {
                File.SetUnixFileMode(directory.FullName, Readable);
            }

            foreach (var directory in System.IO.Directory.EnumerateDirectories(project, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(directory, Readable);
            }
        }
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
    }
}

/// <summary>A run of <see cref="PublishedDeployment.Workflow"/>: its event id, status and how many step completions its history has.</summary>
public sealed record RunRow(string EventId, string Status, long StepCompletions);
