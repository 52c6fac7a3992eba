using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Emit;
using Loopy.Compiler.Projects;
using Loopy.Contracts.Manifest;

namespace Loopy.Compiler;

/// <summary>Compiles a Loopy project: pure (no network, database or project code), every diagnostic in one pass.</summary>
public static class LoopyCompiler
{
    /// <summary>Compiles the project folder at <paramref name="root"/>.</summary>
    public static CompileResult CompileDirectory(string root, CompileOptions? options = null) =>
        Compile(ProjectSource.FromDirectory(root), options);

    /// <summary>Compiles a project.</summary>
    public static CompileResult Compile(ProjectSource source, CompileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new CompileOptions();
        var compilation = new Compilation.Compilation(source);
        compilation.Run();
        var diagnostics = compilation.Diagnostics;
        if (diagnostics.Any(d => d.IsError))
        {
            return new CompileResult(diagnostics, null, null, null, new Dictionary<string, string>());
        }

        var manifest = ManifestBuilder.Build(compilation);
        var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson.Serialize(manifest))));
        manifest["compiled_at"] = CompiledAt(options);
        manifest["loopy_version"] = CompilerInfo.Version;
        var contracts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var ev in compilation.Events.Values)
        {
            contracts[ev.Name + ".schema.json"] = EventContract.BuildSchemaText(ev.Name, ev.Fields);
        }

        return new CompileResult(diagnostics, manifest, CanonicalJson.Serialize(manifest), hash, contracts);
    }

    /// <summary>Renders diagnostics as text lines, as stderr shows them.</summary>
    public static string FormatText(IEnumerable<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var sb = new StringBuilder();
        foreach (var diagnostic in diagnostics)
        {
            sb.Append(diagnostic.ToString()).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Renders diagnostics as the JSON array of <c>--format json</c>.</summary>
    public static string FormatJson(IEnumerable<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var array = new JsonArray();
        foreach (var d in diagnostics)
        {
            var obj = new JsonObject
            {
                ["code"] = d.FullCode,
                ["message"] = d.Message,
                ["severity"] = d.IsError ? "error" : "warning",
                ["span"] = d.File is null ? null : new JsonObject { ["col"] = d.Column, ["file"] = d.File, ["line"] = d.Line },
            };
            if (d.Hint is not null)
            {
                obj["hint"] = d.Hint;
            }

            array.Add(obj);
        }

        return CanonicalJson.Serialize(array);
    }

    private static string CompiledAt(CompileOptions options)
    {
        var instant = options.SourceDateEpoch is { } epoch
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : options.TimeProvider.GetUtcNow();
        return instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }
}
