namespace Loopy.Compiler.Tests.Fixtures;

/// <summary>
/// A mistake (files changed from <see cref="FixtureProject"/>; <see cref="ListedTwice"/> paths appear twice, as in an archive),
/// the one code it yields at one place, and its fix.
/// </summary>
public sealed record DiagnosticFixture(
    string Name,
    string Code,
    string File,
    int Line,
    Dictionary<string, string?> Mistake,
    Dictionary<string, string?>? Fix = null,
    string[]? ListedTwice = null)
{
    public override string ToString() => Name;
}
