using Loopy.Compiler;
using Loopy.Contracts.Manifest;

namespace Loopy.Cli.Commands;

/// <summary>
/// What <c>trigger</c> and <c>run</c> start from: a project folder (compiled here, diagnostics to stderr) or a
/// compiled <c>manifest.json</c> (its folder is the project root).
/// </summary>
internal sealed record ProjectInput(string ProjectRoot, string ManifestJson, CompileResult? Compilation)
{
    /// <summary>Loads <paramref name="path"/>; on failure writes why to stderr and returns the exit code instead.</summary>
    public static async Task<(ProjectInput? Input, int ExitCode)> LoadAsync(string command, string path, TextWriter stderr, CompileOptions options, CancellationToken ct)
    {
        if (File.Exists(path))
        {
            string json;
            try
            {
                json = await File.ReadAllTextAsync(path, ct);
                ManifestLoader.Load(json);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ManifestFormatException or System.Text.Json.JsonException)
            {
                await stderr.WriteLineAsync($"loopy {command}: '{path}' is not a readable manifest: {ex.Message}".AsMemory(), ct);
                return (null, LoopyCli.Usage);
            }

            return (new ProjectInput(Path.GetDirectoryName(Path.GetFullPath(path))!, json, null), LoopyCli.Ok);
        }

        if (!Directory.Exists(path))
        {
            await stderr.WriteLineAsync($"loopy {command}: '{path}' does not exist (pass a project folder or a manifest.json)".AsMemory(), ct);
            return (null, LoopyCli.Usage);
        }

        var result = LoopyCompiler.CompileDirectory(path, options);
        if (result.HasErrors)
        {
            await stderr.WriteAsync(LoopyCompiler.FormatText(result.Diagnostics).AsMemory(), ct);
            await stderr.WriteLineAsync($"loopy {command}: {path} does not compile ({result.Diagnostics.Count(d => d.IsError)} error(s))".AsMemory(), ct);
            return (null, LoopyCli.Errors);
        }

        return (new ProjectInput(Path.GetFullPath(path), result.ManifestJson!, result), LoopyCli.Ok);
    }
}
