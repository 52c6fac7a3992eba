namespace Loopy.Compiler.Diagnostics;

/// <summary>Errors block the manifest; warnings do not.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
}
