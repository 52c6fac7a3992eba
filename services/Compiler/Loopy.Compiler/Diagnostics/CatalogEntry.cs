namespace Loopy.Compiler.Diagnostics;

/// <summary>What <c>loopy explain</c> prints for one code: title, explanation, a mistake and its fix.</summary>
public sealed record CatalogEntry(
    string Code,
    DiagnosticSeverity Severity,
    string Title,
    string Explanation,
    string Mistake,
    string Fix)
{
    /// <summary>A diagnostic of this code at <paramref name="file"/>:<paramref name="line"/>.</summary>
    public Diagnostic At(string? file, int line, string message, string? hint = null) =>
        new(Code, Severity, file, line, message, hint);
}
