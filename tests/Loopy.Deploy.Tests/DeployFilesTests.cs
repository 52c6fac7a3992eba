using System.Text.RegularExpressions;
using Loopy.AppHost;
using Loopy.Receiver;
using Loopy.Testing;
using YamlDotNet.RepresentationModel;

namespace Loopy.Deploy.Tests;

/// <summary>
/// deploy/ cannot be exercised with a Docker engine on this machine, so it is checked statically: every
/// file parses, and it agrees with the code (services, projects, variables, probes, limits).
/// </summary>
public partial class DeployFilesTests
{
    private static readonly string Deploy = Path.Combine(RepositoryRoot.Path, "deploy");

    [Fact]
    public void Compose_runs_every_service_the_AppHost_starts_with_the_documented_replicas()
    {
        var services = (YamlMappingNode)Compose()["services"];
        var names = services.Children.Keys.Select(k => k.ToString()).ToHashSet();

        Assert.All(Launcher.Services, service => Assert.Contains(service.ToLowerInvariant(), names));
        Assert.Subset(names, new HashSet<string> { "postgres", "rabbitmq", "compiler", "loadbalancer" });
        Assert.Equal("2", Scalar(services, "receiver", "deploy", "replicas"));
        Assert.Equal("3", Scalar(services, "runtime", "deploy", "replicas"));
    }

    [Fact]
    public void Every_variable_compose_requires_is_in_the_env_example()
    {
        var compose = File.ReadAllText(Path.Combine(Deploy, "compose.yaml"));
        var example = File.ReadAllLines(Path.Combine(Deploy, ".env.example"))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.TrimStart().StartsWith('#'))
            .Select(l => l.Split('=')[0].Trim())
            .ToHashSet();
        var required = Variable().Matches(compose)
            .Where(m => !m.Groups["rest"].Value.StartsWith(":-", StringComparison.Ordinal))
            .Select(m => m.Groups["name"].Value)
            .ToHashSet();

        Assert.NotEmpty(required);
        Assert.Subset(example, required);
        Assert.False(File.Exists(Path.Combine(Deploy, ".env")) && IsTracked("deploy/.env"), "deploy/.env must never be committed");
    }

    [Fact]
    public void Every_Dockerfile_publishes_a_project_that_exists_runs_non_root_and_checks_health()
    {
        var dockerfiles = Directory.GetFiles(Path.Combine(Deploy, "docker"), "*.Dockerfile");
        Assert.Equal(5, dockerfiles.Length);
        foreach (var dockerfile in dockerfiles)
        {
            var text = File.ReadAllText(dockerfile);
            var project = Publish().Match(text);
            Assert.True(project.Success, $"{dockerfile} publishes nothing");
            Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, project.Groups["path"].Value)), $"{dockerfile}: {project.Groups["path"].Value} does not exist");
            foreach (Match copy in Copy().Matches(text))
            {
                foreach (var source in copy.Groups["sources"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    Assert.True(Path.Exists(Path.Combine(RepositoryRoot.Path, source)), $"{dockerfile}: COPY source {source} does not exist");
                }
            }

            Assert.Contains("USER $APP_UID", text, StringComparison.Ordinal);
            var assembly = Entrypoint().Match(text).Groups["dll"].Value;
            Assert.False(string.IsNullOrEmpty(assembly), $"{dockerfile} has no dotnet entrypoint");
            if (!dockerfile.EndsWith("cli.Dockerfile", StringComparison.Ordinal))
            {
                Assert.Contains("HEALTHCHECK", text, StringComparison.Ordinal);
                Assert.Contains("/alive", text, StringComparison.Ordinal);
                Assert.Equal(Path.GetFileNameWithoutExtension(project.Groups["path"].Value) + ".dll", assembly);
            }
        }

        Assert.All(Launcher.Services, service =>
            Assert.Contains(dockerfiles, d => Path.GetFileName(d) == $"{service.ToLowerInvariant()}.Dockerfile"));
    }

    [Fact]
    public void Kubernetes_base_parses_probes_every_service_and_references_secrets()
    {
        var kustomization = Load(Path.Combine(Deploy, "k8s", "base", "kustomization.yaml"))[0];
        var resources = ((YamlSequenceNode)kustomization["resources"]).Children.Select(r => r.ToString()).ToList();
        var documents = resources.SelectMany(r => Load(Path.Combine(Deploy, "k8s", "base", r))).ToList();
        var deployments = documents.Where(d => d["kind"].ToString() == "Deployment").ToList();

        Assert.All(Launcher.Services, service =>
            Assert.Contains(deployments, d => d["metadata"]["name"].ToString() == $"loopy-{service.ToLowerInvariant()}"));
        foreach (var deployment in deployments)
        {
            var containers = (YamlSequenceNode)deployment["spec"]["template"]["spec"]["containers"];
            foreach (var container in containers.Children.Cast<YamlMappingNode>())
            {
                var name = deployment["metadata"]["name"].ToString();
                var readiness = container["readinessProbe"]["httpGet"]["path"].ToString();
                var liveness = container["livenessProbe"]["httpGet"]["path"].ToString();
                if (name != "loopy-loadbalancer")
                {
                    Assert.Equal("/health", readiness);
                    Assert.Equal("/alive", liveness);
                }

                Assert.NotNull(container["resources"]["requests"]);
                if (container.Children.TryGetValue(new YamlScalarNode("env"), out var env))
                {
                    foreach (var variable in ((YamlSequenceNode)env).Children.Cast<YamlMappingNode>())
                    {
                        var key = variable["name"].ToString();
                        var secretLike = key.Contains("Secret", StringComparison.OrdinalIgnoreCase) || key.StartsWith("ConnectionStrings__", StringComparison.Ordinal);
                        Assert.False(secretLike && variable.Children.ContainsKey(new YamlScalarNode("value")), $"{name}: {key} is inlined, not a secretKeyRef");
                    }
                }
            }
        }

        Assert.Contains(documents, d => d["kind"].ToString() == "PodDisruptionBudget" && d["metadata"]["name"].ToString() == "loopy-runtime");
        Assert.Contains(documents, d => d["kind"].ToString() == "HorizontalPodAutoscaler" && d["metadata"]["name"].ToString() == "loopy-runtime");
        Assert.DoesNotContain(documents, d => d["kind"].ToString() == "Secret");
    }

    [Fact]
    public void Every_service_host_drains_within_its_grace_period_in_compose_and_Kubernetes()
    {
        // SIGKILL follows SIGTERM after the grace period: the host's own shutdown timeout must end first.
        var services = (YamlMappingNode)Compose()["services"];
        foreach (var service in Launcher.Services.Select(s => s.ToLowerInvariant()))
        {
            var timeout = int.Parse(Scalar(services, service, "environment", "shutdownTimeoutSeconds")!, System.Globalization.CultureInfo.InvariantCulture);
            var grace = int.Parse(Scalar(services, service, "stop_grace_period")!.TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(timeout < grace, $"compose {service}: shutdownTimeoutSeconds {timeout} is not below stop_grace_period {grace}s");
        }

        var documents = Directory.GetFiles(Path.Combine(Deploy, "k8s", "base"), "*.yaml").SelectMany(Load).ToList();
        foreach (var service in Launcher.Services.Select(s => s.ToLowerInvariant()))
        {
            var deployment = documents.Single(d => d["kind"].ToString() == "Deployment" && d["metadata"]["name"].ToString() == $"loopy-{service}");
            var spec = (YamlMappingNode)deployment["spec"]["template"]["spec"];
            var grace = int.Parse(spec["terminationGracePeriodSeconds"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            var env = ((YamlSequenceNode)((YamlSequenceNode)spec["containers"]).Children[0]["env"]).Children.Cast<YamlMappingNode>()
                .ToDictionary(v => v["name"].ToString(), v => v.Children.TryGetValue(new YamlScalarNode("value"), out var value) ? value.ToString() : null);
            var timeout = int.Parse(env["shutdownTimeoutSeconds"]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(timeout < grace, $"k8s {service}: shutdownTimeoutSeconds {timeout} is not below terminationGracePeriodSeconds {grace}");
            if (env.TryGetValue("Loopy__Shutdown__DrainDelay", out var delay))
            {
                Assert.True(TimeSpan.Parse(delay!, System.Globalization.CultureInfo.InvariantCulture) < TimeSpan.FromSeconds(timeout), $"k8s {service}: the drain delay leaves no time to drain");
            }
        }
    }

    [Fact]
    public void Nginx_body_limit_matches_the_Receivers_and_POST_is_not_retried_after_it_was_sent()
    {
        var conf = File.ReadAllText(Path.Combine(Deploy, "nginx", "nginx.conf"));
        var limit = BodyLimit().Match(conf);

        Assert.True(limit.Success);
        Assert.Equal(new ReceiverOptions().MaxBodyBytes, long.Parse(limit.Groups["mb"].Value, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024);
        Assert.Contains("proxy_next_upstream error timeout http_503;", conf, StringComparison.Ordinal);
        Assert.DoesNotContain("non_idempotent", conf, StringComparison.Ordinal);
        Assert.Contains("X-Forwarded-For", conf, StringComparison.Ordinal);
        Assert.Equal(conf.Count(c => c == '{'), conf.Count(c => c == '}'));
        foreach (var upstream in Upstream().Matches(conf).Select(m => m.Groups["host"].Value))
        {
            var services = (YamlMappingNode)Compose()["services"];
            Assert.True(services.Children.ContainsKey(new YamlScalarNode(upstream)), $"nginx upstream {upstream} is not a compose service");
        }
    }

    private static YamlMappingNode Compose() => Load(Path.Combine(Deploy, "compose.yaml"))[0];

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static string? Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return current.ToString();
    }

    private static bool IsTracked(string path)
    {
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["ls-files", "--error-unmatch", path])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        git.WaitForExit();
        return git.ExitCode == 0;
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Z0-9_]+)(?<rest>[^}]*)\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"dotnet publish (?<path>\S+\.csproj)")]
    private static partial Regex Publish();

    [GeneratedRegex(@"^COPY (?!--from)(?<sources>.+) \S+$", RegexOptions.Multiline)]
    private static partial Regex Copy();

    [GeneratedRegex(@"ENTRYPOINT \[""dotnet"", ""(?<dll>[^""]+)""\]")]
    private static partial Regex Entrypoint();

    [GeneratedRegex(@"client_max_body_size (?<mb>\d+)m;")]
    private static partial Regex BodyLimit();

    [GeneratedRegex(@"server (?<host>[a-z]+):8080")]
    private static partial Regex Upstream();
}
