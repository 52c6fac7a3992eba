using Loopy.Runtime.Harness;

namespace Loopy.Runtime.Tests.Harness;

public sealed class SandboxEnvironmentTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("loopy-rt-env-").FullName;

    [Fact]
    public void Reads_env_files_per_the_rules_of_section_1()
    {
        File.WriteAllText(Path.Combine(_root, "base.env"), "# comment\n\n A = 1 \nB=\"two words\"\nC='x=y'\nnot a pair\n");

        var values = SandboxEnvironment.ReadEnvFile(_root, "base.env").ToDictionary();

        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two words", ["C"] = "x=y" }, values);
    }

    [Fact]
    public void Refuses_an_env_file_that_escapes_the_root_terminally()
    {
        var error = Assert.Throws<AttemptFailedException>(() => SandboxEnvironment.ReadEnvFile(_root, "../secrets.env").ToList());

        Assert.True(error.Terminal);
        Assert.Contains("escapes the project root", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd", "escapes the project root")]
    [InlineData("/etc/passwd", "is an absolute path")]
    [InlineData("leak.env", "escapes the project root through a symbolic link")]
    [InlineData("etc/passwd", "escapes the project root through a symbolic link")]
    public void Refuses_env_files_outside_the_root_by_dots_absolute_path_or_symbolic_link(string envFile, string reason)
    {
        File.CreateSymbolicLink(Path.Combine(_root, "leak.env"), "/etc/passwd");
        Directory.CreateSymbolicLink(Path.Combine(_root, "etc"), "/etc");

        var error = Assert.Throws<AttemptFailedException>(() => SandboxEnvironment.ReadEnvFile(_root, envFile).ToList());

        Assert.True(error.Terminal);
        Assert.StartsWith($"env_file '{envFile}' {reason}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_that_stays_inside_the_root_is_read()
    {
        Directory.CreateDirectory(Path.Combine(_root, "config"));
        File.WriteAllText(Path.Combine(_root, "config", "real.env"), "K=v\n");
        File.CreateSymbolicLink(Path.Combine(_root, "linked.env"), "config/../config/real.env");

        Assert.Equal("v", Assert.Single(SandboxEnvironment.ReadEnvFile(_root, "linked.env")).Value);
    }

    [Fact]
    public void A_missing_env_file_is_terminal() =>
        Assert.True(Assert.Throws<AttemptFailedException>(() => SandboxEnvironment.ReadEnvFile(_root, "missing.env").ToList()).Terminal);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
