using System.Text.Json;
using Loopy.Compiler.Tests.Fixtures;

namespace Loopy.Compiler.Tests.Cli;

public sealed class LoopyCliTests
{
    private static string Example(string name) => Path.Combine(RepositoryPaths.Examples, name);

    [Fact]
    public async Task Bare_loopy_prints_what_to_do_next()
    {
        var run = await CliRun.RunAsync();
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("loopy init", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("loopy check", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("compile", "--format", "xml")]
    [InlineData("compile", "--no-such-option")]
    [InlineData("explain")]
    public async Task Usage_errors_exit_2_without_a_stack_trace(params string[] args)
    {
        var run = await CliRun.RunAsync(args);
        Assert.Equal(2, run.ExitCode);
        Assert.NotEmpty(run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_project_folder_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("check", "/nonexistent/loopy/project");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_of_a_clean_example_exits_0_and_writes_nothing()
    {
        using var temp = new TempDirectory();
        TempDirectory.CopyTree(Example("incident-triage"), temp.Path);
        var run = await CliRun.RunAsync("check", temp.Path);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        Assert.Contains("workflow triage", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("intake  [on Incident] -> deploys, logs", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("page  [on Escalation(severity=\"critical\")]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Escalation  triage/assess     escalate/page", run.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "manifest.json")));
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "contract")));
    }

    [Fact]
    public async Task Compile_writes_the_manifest_and_contracts_and_deletes_stale_ones()
    {
        using var temp = new TempDirectory();
        TempDirectory.CopyTree(Example("dep-upkeep"), temp.Path);
        Directory.CreateDirectory(Path.Combine(temp.Path, "contract"));
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "contract", "Old.schema.json"), "{}", TestContext.Current.CancellationToken);
        var run = await CliRun.RunAsync("compile", temp.Path);
        Assert.Equal(0, run.ExitCode);
        var expected = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Baselines, "dep-upkeep.manifest.json"), TestContext.Current.CancellationToken);
        Assert.Equal(expected, await File.ReadAllTextAsync(Path.Combine(temp.Path, "manifest.json"), TestContext.Current.CancellationToken));
        Assert.Equal(["DepsBumped.schema.json"], Directory.GetFiles(Path.Combine(temp.Path, "contract")).Select(Path.GetFileName));
        Assert.Contains("content hash: sha256:", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compile_with_out_writes_there_and_check_flag_writes_nothing()
    {
        using var temp = new TempDirectory();
        var target = Path.Combine(temp.Path, "out", "m.json");
        Assert.Equal(0, (await CliRun.RunAsync("compile", Example("hello"), "--out", target)).ExitCode);
        Assert.True(File.Exists(target));
        Assert.True(File.Exists(Path.Combine(temp.Path, "out", "contract", "Greet.schema.json")));

        var other = Path.Combine(temp.Path, "never.json");
        Assert.Equal(0, (await CliRun.RunAsync("compile", Example("hello"), "--check", "--out", other)).ExitCode);
        Assert.False(File.Exists(other));
    }

    [Fact]
    public async Task Errors_exit_1_with_rendered_diagnostics_on_stderr()
    {
        using var temp = new TempDirectory();
        foreach (var (path, content) in FixtureProject.Base())
        {
            var full = Path.Combine(temp.Path, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content, TestContext.Current.CancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(temp.Path, "workflows/flow/finish.md"), "---\nafter: begin\nagent: Worker\n---\nFinish.\n", TestContext.Current.CancellationToken);
        var run = await CliRun.RunAsync("compile", temp.Path);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error LOOPY-E105 workflows/flow/finish.md:2: step 'flow/finish' has after: 'begin', which is not a step in 'flow'\n", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "manifest.json")));

        var json = await CliRun.RunAsync("check", temp.Path, "--format", "json");
        Assert.Equal(1, json.ExitCode);
        var array = JsonDocument.Parse(json.Stderr[..(json.Stderr.LastIndexOf(']') + 1)]).RootElement;
        var first = array[0];
        Assert.Equal("LOOPY-E105", first.GetProperty("code").GetString());
        Assert.Equal("error", first.GetProperty("severity").GetString());
        Assert.Equal(2, first.GetProperty("span").GetProperty("line").GetInt32());
        Assert.Equal(0, first.GetProperty("span").GetProperty("col").GetInt32());
    }

    [Fact]
    public async Task Warnings_alone_exit_0()
    {
        var run = await CliRun.RunAsync("check", Example("hello"));
        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("warning LOOPY-W501 registry.yml:12:", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("E105")]
    [InlineData("loopy-w501")]
    public async Task Explain_prints_the_entry_with_mistake_and_fix(string code)
    {
        var run = await CliRun.RunAsync("explain", code);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Mistake:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Fix:", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_of_an_unknown_code_exits_2()
    {
        var run = await CliRun.RunAsync("explain", "E108");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown diagnostic code", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_scaffolds_a_project_that_checks_with_only_W501()
    {
        using var temp = new TempDirectory();
        var dir = Path.Combine(temp.Path, "demo");
        var init = await CliRun.RunAsync("init", "demo", "--dir", temp.Path);
        Assert.Equal(0, init.ExitCode);
        Assert.Equal(["manifest.json", "contract/", ".loopy/", "loopy.env", "secrets/", "sensors/.env"],
            await File.ReadAllLinesAsync(Path.Combine(dir, ".gitignore"), TestContext.Current.CancellationToken));
        Assert.True(File.Exists(Path.Combine(dir, "workflows", "review", "code-review.md.disabled")));
        Assert.True(File.Exists(Path.Combine(dir, "secrets", "base.env")));

        var check = await CliRun.RunAsync("check", dir);
        Assert.Equal(0, check.ExitCode);
        Assert.Equal(["W501"], LoopyCompiler.CompileDirectory(dir).Diagnostics.Select(d => d.Code));

        // the disabled step compiles too once switched on
        File.Move(Path.Combine(dir, "workflows", "review", "code-review.md.disabled"), Path.Combine(dir, "workflows", "review", "code-review.md"));
        Assert.False(LoopyCompiler.CompileDirectory(dir).HasErrors);
    }

    [Fact]
    public async Task Init_refuses_a_non_empty_folder_and_a_bad_name()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(temp.Path, "notes.txt"), "x", TestContext.Current.CancellationToken);
        Assert.Equal(1, (await CliRun.RunAsync("init", "--dir", temp.Path)).ExitCode);
        Assert.Equal(1, (await CliRun.RunAsync("init", "bad name", "--dir", temp.Path)).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(temp.Path, "bad name")));
    }

    [Fact]
    public async Task Init_accepts_a_folder_holding_only_gitignore_and_keeps_it()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(temp.Path, ".gitignore"), "bin/\n", TestContext.Current.CancellationToken);
        Assert.Equal(0, (await CliRun.RunAsync("init", "--dir", temp.Path)).ExitCode);
        var lines = await File.ReadAllLinesAsync(Path.Combine(temp.Path, ".gitignore"), TestContext.Current.CancellationToken);
        Assert.Equal("bin/", lines[0]);
        Assert.Contains("manifest.json", lines);
    }
}
