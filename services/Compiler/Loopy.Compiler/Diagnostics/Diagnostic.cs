using System.Globalization;

namespace Loopy.Compiler.Diagnostics;

/// <summary>
/// One finding about a project (AUTHORING.md §6). <paramref name="File"/> is project-relative posix, <c>&lt;built-in&gt;</c>
/// for built-in material, or null (rendered <c>&lt;unknown&gt;</c>); <paramref name="Line"/> is 1-based, 0 for the file alone.
/// </summary>
public sealed record Diagnostic(
    string Code,
    DiagnosticSeverity Severity,
    string? File,
    int Line,
    string Message,
    string? Hint = null,
    int Column = 0) : IComparable<Diagnostic>
{
    /// <summary>The code written in full, e.g. <c>LOOPY-E105</c>.</summary>
    public string FullCode => "LOOPY-" + Code;

    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The location as rendered: <c>file:line</c>, <c>file</c> when line is 0, <c>&lt;unknown&gt;</c> without a file.</summary>
    public string Location => File is null
        ? "<unknown>"
        : Line > 0 ? File + ":" + Line.ToString(CultureInfo.InvariantCulture) : File;

    /// <summary>Sorted by file (ordinal), line, code, message.</summary>
    public int CompareTo(Diagnostic? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = string.CompareOrdinal(File, other.File);
        if (c != 0)
        {
            return c;
        }

        c = Line.CompareTo(other.Line);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(Code, other.Code);
        return c != 0 ? c : string.CompareOrdinal(Message, other.Message);
    }

    /// <summary><c>&lt;severity&gt; &lt;code&gt; &lt;file&gt;:&lt;line&gt;: &lt;message&gt;</c>, then <c>  hint: …</c> when there is one.</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var text = $"{severity} {FullCode} {Location}: {Message}";
        return Hint is null ? text : text + "\n  hint: " + Hint;
    }

    public static bool operator <(Diagnostic left, Diagnostic right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator <=(Diagnostic left, Diagnostic right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >(Diagnostic left, Diagnostic right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator >=(Diagnostic left, Diagnostic right) => left is null ? right is null : left.CompareTo(right) >= 0;
}
