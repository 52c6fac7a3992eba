using System.Text.Json.Nodes;
using Loopy.Compiler.Diagnostics;

namespace Loopy.Compiler;

/// <summary>The diagnostics of one compile and, when there is no error, the manifest, its hash and the event contracts.</summary>
public sealed class CompileResult
{
    internal CompileResult(IReadOnlyList<Diagnostic> diagnostics, JsonObject? manifest, string? manifestJson, string? contentHash,
        IReadOnlyDictionary<string, string> contracts)
    {
        Diagnostics = diagnostics;
        Manifest = manifest;
        ManifestJson = manifestJson;
        ContentHash = contentHash;
        Contracts = contracts;
    }

    /// <summary>Sorted by file, line, code, message.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>The manifest tree; null when there are errors.</summary>
    public JsonObject? Manifest { get; }

    /// <summary>The canonical manifest text; null when there are errors.</summary>
    public string? ManifestJson { get; }

    /// <summary><c>sha256:&lt;hex&gt;</c> of the manifest without <c>compiled_at</c> and <c>loopy_version</c>.</summary>
    public string? ContentHash { get; }

    /// <summary><c>&lt;Event&gt;.schema.json</c> → canonical schema text, one per registered event.</summary>
    public IReadOnlyDictionary<string, string> Contracts { get; }
}
