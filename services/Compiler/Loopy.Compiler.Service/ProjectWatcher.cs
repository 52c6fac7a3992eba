using System.Security.Cryptography;
using System.Text;
using Loopy.Compiler.Diagnostics;
using Loopy.Manifests;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Loopy.Compiler.Service;

/// <summary>
/// Compiles the project at start and whenever a file under it changes (size, write time, added or removed),
/// then activates the manifest in Postgres. A project that no longer compiles leaves the last good version active
/// and reports its diagnostics (log and <c>GET /manifest</c>). Versions are keyed by the compiler's content hash,
/// which ignores <c>compiled_at</c>, so recompiling an unchanged project activates nothing new.
/// </summary>
internal sealed class ProjectWatcher(
    IOptions<CompilerServiceOptions> options,
    ManifestVersionStore store,
    CompileStatus status,
    TimeProvider time,
    ILogger<ProjectWatcher> logger) : BackgroundService
{
    private static readonly string[] IgnoredFolders = [".loopy", ".git", "contract", "bin", "obj", "node_modules"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = Path.GetFullPath(options.Value.ProjectDir is { Length: > 0 } dir ? dir : throw new InvalidOperationException($"{CompilerServiceOptions.SectionName}:ProjectDir is not set"));
        string? compiledFingerprint = null;
        var activated = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var fingerprint = Fingerprint(root);
            if (fingerprint != compiledFingerprint || !activated)
            {
                activated = await CompileAndActivateAsync(root, stoppingToken).ConfigureAwait(false);
                compiledFingerprint = fingerprint;
            }

            try
            {
                await Task.Delay(options.Value.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Returns false when activation must be retried (the database was unreachable).</summary>
    private async Task<bool> CompileAndActivateAsync(string root, CancellationToken cancellationToken)
    {
        var result = LoopyCompiler.CompileDirectory(root);
        var diagnostics = result.Diagnostics
            .Select(d => new CompileReportDiagnostic(d.FullCode, d.Severity.ToString().ToLowerInvariant(), d.File, d.Line, d.Message))
            .ToList();
        var (_, active) = status.Snapshot();
        if (result.HasErrors || result.ManifestJson is null || result.ContentHash is null)
        {
            CompilerServiceLog.CompileFailed(logger, result.Diagnostics.Count(d => d.IsError), active ?? "(none)");
            foreach (var diagnostic in result.Diagnostics.Where(d => d.IsError))
            {
                CompilerServiceLog.Diagnostic(logger, diagnostic.FullCode, diagnostic.Location, diagnostic.Message);
            }

            status.Record(new CompileReport(time.GetUtcNow(), false, null, diagnostics), null);
            return true;
        }

        try
        {
            var snapshot = new ManifestSnapshot(result.ManifestJson, result.ContentHash);
            if (await store.ActivateAsync(snapshot, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                CompilerServiceLog.Activated(logger, snapshot.Hash, result.Manifest?["workflows"]?.AsObject().Count ?? 0, root);
            }
            else
            {
                CompilerServiceLog.Unchanged(logger, snapshot.Hash);
            }

            if (options.Value.ManifestPath is { Length: > 0 } path)
            {
                await WriteAtomicallyAsync(path, result.ManifestJson, cancellationToken).ConfigureAwait(false);
            }

            status.Record(new CompileReport(time.GetUtcNow(), true, snapshot.Hash, diagnostics), snapshot.Hash);
            return true;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or IOException or TimeoutException)
        {
            CompilerServiceLog.ActivationFailed(logger, ex);
            return false;
        }
    }

    private static async Task WriteAtomicallyAsync(string path, string json, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = full + ".tmp";
        await File.WriteAllTextAsync(temporary, json, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>A hash over every project file's relative path, size and write time.</summary>
    internal static string Fingerprint(string root)
    {
        var builder = new StringBuilder();
        IEnumerable<string> files = Directory.Exists(root)
            ? Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                .Where(f => !IsIgnored(Path.GetRelativePath(root, f)))
                .Order(StringComparer.Ordinal)
            : [];
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            builder.Append(Path.GetRelativePath(root, file)).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    private static bool IsIgnored(string relative)
    {
        var first = relative.Split(Path.DirectorySeparatorChar)[0];
        return IgnoredFolders.Contains(first, StringComparer.Ordinal) || relative == "manifest.json" || relative.EndsWith(".tmp", StringComparison.Ordinal);
    }
}
