using Loopy.Compiler.Projects;

namespace Loopy.Compiler.Tests.Robustness;

public sealed class UnreadableSourceTests
{
    private sealed class FailingSource : ProjectSource
    {
        public override IReadOnlyList<string> Files { get; } = ["registry.yml", "sensors/a.yml", "workflows/w/s.md"];

        public override byte[] Read(string relativePath) => throw new IOException("disk on fire");

        public override bool DirectoryExists(string relativePath) => false;
    }

    [Fact]
    public void An_unreadable_file_is_a_diagnostic_for_that_file()
    {
        var result = LoopyCompiler.Compile(new FailingSource());
        Assert.Equal([("E001", "registry.yml"), ("E402", "sensors/a.yml"), ("E101", "workflows/w/s.md")],
            result.Diagnostics.Select(d => (d.Code, d.File!)));
        Assert.Contains("disk on fire", result.Diagnostics[0].Message, StringComparison.Ordinal);
    }
}
