using System.Text;
using Loopy.Compiler.Projects;
using Loopy.Compiler.Tests.Fixtures;

namespace Loopy.Compiler.Tests.Robustness;

/// <summary>Malformed input gives diagnostics, never an exception, a hang or a stack overflow.</summary>
public sealed class MalformedInputTests
{
    private static CompileResult CompileBytes(string path, byte[] content)
    {
        var files = FixtureProject.Base().Where(f => f.Value is not null)
            .ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value!), StringComparer.Ordinal);
        files[path] = content;
        return LoopyCompiler.Compile(ProjectSource.FromFiles(files));
    }

    [Fact]
    public void Truncated_registry_is_E001()
    {
        var truncated = FixtureProject.Registry[..FixtureProject.Registry.IndexOf("command", StringComparison.Ordinal)] + "command: [sh, ru";
        var result = CompileBytes("registry.yml", Encoding.UTF8.GetBytes(truncated));
        Assert.Equal(["E001"], result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Binary_garbage_in_every_kind_of_file_gives_diagnostics()
    {
        var random = new Random(42);
        foreach (var path in new[] { "registry.yml", "workflows/flow/start.md", "sensors/ping.yml", "sensors/garbage.py" })
        {
            for (var i = 0; i < 20; i++)
            {
                var bytes = new byte[random.Next(64, 4096)];
                random.NextBytes(bytes);
                var result = CompileBytes(path, bytes);
                Assert.True(result.HasErrors, path);
                Assert.Null(result.ManifestJson);
            }
        }
    }

    [Fact]
    public void Non_utf8_files_are_reported_per_file()
    {
        var latin1 = new byte[] { 0x65, 0x76, 0x65, 0x6e, 0x74, 0x73, 0x3a, 0x20, 0xe9, 0xff, 0x0a };
        Assert.Equal(["E001"], CompileBytes("registry.yml", latin1).Diagnostics.Select(d => d.Code));
        Assert.Equal(["E101"], CompileBytes("workflows/flow/finish.md", latin1).Diagnostics.Select(d => d.Code));
        Assert.Equal(["E402"], CompileBytes("sensors/extra.yml", latin1).Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void A_bom_and_crlf_line_endings_are_accepted()
    {
        var crlf = "\uFEFF" + FixtureProject.Finish.Replace("\n", "\r\n", StringComparison.Ordinal);
        var result = CompileBytes("workflows/flow/finish.md", Encoding.UTF8.GetBytes(crlf));
        Assert.Empty(result.Diagnostics);
        Assert.Equal("Finish {{ start.result }}.", result.Manifest!["workflows"]!["flow"]!["steps"]!["finish"]!["body"]!.GetValue<string>());
    }

    [Fact]
    public void A_10_MB_body_compiles()
    {
        var body = new StringBuilder(FixtureProject.Finish.TrimEnd('\n'));
        while (body.Length < 10 * 1024 * 1024)
        {
            body.Append("\nfiller line without any template tag, just text to make the file large.");
        }

        var result = CompileBytes("workflows/flow/finish.md", Encoding.UTF8.GetBytes(body.ToString()));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void A_10_MB_registry_of_garbage_is_E001()
    {
        var garbage = new StringBuilder();
        while (garbage.Length < 10 * 1024 * 1024)
        {
            garbage.Append("key: [value, {other: ]]]\n");
        }

        Assert.Contains("E001", CompileBytes("registry.yml", Encoding.UTF8.GetBytes(garbage.ToString())).Diagnostics.Select(d => d.Code));
    }

    [Theory]
    [InlineData("registry.yml", "E001")]
    [InlineData("workflows/flow/start.md", "E101")]
    [InlineData("sensors/ping.yml", "E402")]
    public void Deeply_nested_yaml_is_a_diagnostic_not_a_crash(string path, string code)
    {
        var nested = string.Concat(Enumerable.Repeat("a:\n", 1)) + new string('[', 50_000) + new string(']', 50_000) + "\n";
        var block = new StringBuilder();
        for (var i = 0; i < 5_000; i++)
        {
            block.Append(' ', i).Append("k:\n");
        }

        foreach (var yaml in new[] { nested, block.ToString() })
        {
            var text = path.EndsWith(".md", StringComparison.Ordinal) ? "---\n" + yaml + "---\nBody.\n" : yaml;
            var result = CompileBytes(path, Encoding.UTF8.GetBytes(text));
            Assert.Contains(code, result.Diagnostics.Select(d => d.Code));
        }
    }

    [Fact]
    public void A_cycle_of_1000_steps_is_one_E106()
    {
        var files = FixtureProject.Base();
        for (var i = 0; i < 1000; i++)
        {
            files[$"workflows/ring/s{i:D4}.md"] = $"---\nafter: s{(i + 999) % 1000:D4}\nagent: Worker\n---\nStep {i}.\n";
        }

        files["workflows/ring/start.md"] = "---\non: Ping\nagent: Worker\n---\nStart.\n";
        var result = LoopyCompiler.Compile(ProjectSource.FromFiles(files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value!), StringComparer.Ordinal)));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("E106", diagnostic.Code);
        Assert.Equal("workflows/ring/s0000.md", diagnostic.File);
        Assert.StartsWith("after: cycle in workflow 'ring': s0000 -> s0001 -> s0002", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("s0999 -> s0000", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alias_bomb_does_not_hang()
    {
        var bomb = new StringBuilder("events:\n  Ping:\n    name: str\n    level: int\n  Bomb:\n    a: &a0 { type: string }\n");
        for (var i = 1; i < 10; i++)
        {
            bomb.Append($"    a{i}: &a{i} {{ type: object, properties: {{ x1: *a{i - 1}, x2: *a{i - 1}, x3: *a{i - 1}, x4: *a{i - 1}, x5: *a{i - 1}, x6: *a{i - 1}, x7: *a{i - 1}, x8: *a{i - 1}, x9: *a{i - 1} }} }}\n");
        }

        var registry = FixtureProject.Registry.Replace("events:\n  Ping:\n    name: str\n    level: int\n", bomb.ToString(), StringComparison.Ordinal);
        var result = CompileBytes("registry.yml", Encoding.UTF8.GetBytes(registry));
        Assert.Contains("E201", result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void A_project_with_several_mistakes_reports_all_of_them()
    {
        var files = FixtureProject.Base();
        files["registry.yml"] = FixtureProject.Registry.Replace("level: int", "level: integer", StringComparison.Ordinal) + "  lower:\n    a: str\n";
        files["workflows/flow/finish.md"] = "---\nafter: begin\nagent: Nobody\ncolour: blue\n---\nFinish {{ start.result | upper }}.\n";
        files["workflows/flow/lonely.md"] = "---\nagent: Worker\n---\nAlone.\n";
        files["workflows/other/tick.md"] = "---\non: cron(\"0 3 * *\")\nagent: Worker\n---\nTick.\n";
        files["sensors/ping.yml"] = FixtureProject.Sensor + "poller:\n  poll: 5 minutes\n  emits: Ping\n  exec: [sh, poll.sh]\n";
        var result = LoopyCompiler.Compile(ProjectSource.FromFiles(files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value!), StringComparer.Ordinal)));
        var codes = result.Diagnostics.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["E201", "E210", "E105", "E501", "W901", "E301", "E103", "E110", "E403"], StringComparer.Ordinal), codes);
        Assert.Equal(result.Diagnostics.OrderBy(d => d).ToList(), result.Diagnostics);
        Assert.Null(result.ManifestJson);
    }
}
