using Loopy.Compiler.Diagnostics;

namespace Loopy.Compiler.Tests.Fixtures;

public sealed class DiagnosticFixtureTests
{
    public static TheoryData<DiagnosticFixture> Cases() => new(DiagnosticFixtures.All);

    [Fact]
    public void The_base_project_compiles_with_no_diagnostic()
    {
        var result = LoopyCompiler.Compile(FixtureProject.With(new Dictionary<string, string?>()));
        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.ManifestJson);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_mistake_yields_exactly_its_code_at_its_line(DiagnosticFixture fixture)
    {
        var result = LoopyCompiler.Compile(FixtureProject.With(fixture.Mistake, fixture.ListedTwice));
        var rendered = LoopyCompiler.FormatText(result.Diagnostics);
        Assert.NotEmpty(result.Diagnostics);
        Assert.All(result.Diagnostics, d => Assert.True(d.Code == fixture.Code, rendered));
        Assert.Contains(result.Diagnostics, d => d.File == fixture.File && d.Line == fixture.Line);
        Assert.Equal(DiagnosticCatalog.Find(fixture.Code)!.Severity == DiagnosticSeverity.Error, result.HasErrors);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_fixed_project_is_clean(DiagnosticFixture fixture)
    {
        var result = LoopyCompiler.Compile(FixtureProject.With(fixture.Fix ?? new Dictionary<string, string?>()));
        Assert.True(result.Diagnostics.Count == 0, LoopyCompiler.FormatText(result.Diagnostics));
    }

    [Fact]
    public void Every_catalog_code_has_a_fixture()
    {
        var covered = DiagnosticFixtures.All.Select(f => f.Code).ToHashSet(StringComparer.Ordinal);
        var missing = DiagnosticCatalog.All.Select(e => e.Code).Where(c => !covered.Contains(c)).ToList();
        Assert.Empty(missing);
    }
}
