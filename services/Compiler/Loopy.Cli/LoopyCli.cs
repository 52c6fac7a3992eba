using System.CommandLine;
using System.Globalization;
using System.Text;
using Loopy.Cli.Commands;
using Loopy.Cli.Init;
using Loopy.Cli.Output;
using Loopy.Compiler;
using Loopy.Compiler.Diagnostics;
using Loopy.Contracts.Manifest;
using Spectre.Console;

namespace Loopy.Cli;

/// <summary>
/// The <c>loopy</c> command line: <c>init</c>, <c>compile</c>, <c>check</c>, <c>explain</c>, and <c>trigger</c>, <c>run</c>,
/// <c>runs</c> (docs/cli.md). Exit 0 ok, 1 errors, 2 usage.
/// </summary>
public static class LoopyCli
{
    public const int Ok = 0;
    public const int Errors = 1;
    public const int Usage = 2;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Runs the command line in process; <paramref name="timeProvider"/> stamps <c>compiled_at</c>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0)
        {
            await stdout.WriteAsync(NextSteps.AsMemory(), cancellationToken);
            return Ok;
        }

        var options = new CompileOptions
        {
            TimeProvider = timeProvider ?? TimeProvider.System,
            SourceDateEpoch = long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                ? epoch
                : null,
        };
        var root = BuildCommands(stdout, stderr, options);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"loopy: {error.Message}".AsMemory(), cancellationToken);
            }

            await stderr.WriteLineAsync("Run 'loopy --help' for usage.".AsMemory(), cancellationToken);
            return Usage;
        }

        // Ctrl-C cancels the action's token; `loopy run` and `loopy trigger` get time to stop cleanly.
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    private const string NextSteps = """
        loopy: compile, check and run Loopy projects.

          loopy init my-project        scaffold a project in ./my-project
          loopy check [PATH]           validate a project, write nothing
          loopy compile [PATH]         write manifest.json and contract/
          loopy explain E105           what a diagnostic means, with an example and the fix
          loopy trigger [PATH] --event NAME --fields '{...}'
                                       run the workflows an event starts, here, to completion
          loopy run [PATH]             serve the project standalone until Ctrl-C
          loopy runs [show ID]         recent runs (or one run) of a serving Loopy

        Run 'loopy --help' for every option.

        """;

    private static RootCommand BuildCommands(TextWriter stdout, TextWriter stderr, CompileOptions options)
    {
        var root = new RootCommand("Compile, check and run Loopy projects.");

        var initName = new Argument<string?>("NAME") { Description = "Project name: the project is created in <dir>/<NAME>.", Arity = ArgumentArity.ZeroOrOne };
        var initDir = new Option<string?>("--dir") { Description = "Parent folder (default '.'); without NAME, the project folder itself." };
        var init = new Command("init", "Scaffold a project that compiles cleanly.") { initName, initDir };
        init.SetAction((parse, ct) => InitAsync(parse.GetValue(initName), parse.GetValue(initDir), stdout, stderr, ct));
        root.Subcommands.Add(init);

        var compilePath = PathArgument();
        var outOption = new Option<string?>("--out") { Description = "Manifest file to write (default <PATH>/manifest.json; relative to the working directory)." };
        var checkOption = new Option<bool>("--check") { Description = "Validate only; write nothing." };
        var compileFormat = FormatOption();
        var compile = new Command("compile", "Compile a project: diagnostics to stderr, manifest.json and contract/ when there is no error.")
        {
            compilePath, outOption, checkOption, compileFormat,
        };
        compile.SetAction((parse, ct) => CompileAsync(parse.GetValue(compilePath)!, parse.GetValue(outOption), parse.GetValue(checkOption),
            parse.GetValue(compileFormat)!, stdout, stderr, options, ct));
        root.Subcommands.Add(compile);

        var checkPath = PathArgument();
        var checkFormat = FormatOption();
        var check = new Command("check", "Validate a project; writes nothing (= compile --check).") { checkPath, checkFormat };
        check.SetAction((parse, ct) => CompileAsync(parse.GetValue(checkPath)!, null, true, parse.GetValue(checkFormat)!, stdout, stderr, options, ct));
        root.Subcommands.Add(check);

        var code = new Argument<string>("CODE") { Description = "A diagnostic code, e.g. E105 or LOOPY-E105." };
        var explain = new Command("explain", "Explain a diagnostic code, with an example of the mistake and the fix.") { code };
        explain.SetAction((parse, ct) => ExplainAsync(parse.GetValue(code)!, stdout, stderr, ct));
        root.Subcommands.Add(explain);

        root.Subcommands.Add(TriggerCommand.Create(stdout, stderr, options));
        root.Subcommands.Add(RunCommand.Create(stdout, stderr, options));
        root.Subcommands.Add(RunsCommand.Create(stdout, stderr));

        root.SetAction((_, ct) => WriteAsync(stdout, NextSteps, ct));
        return root;
    }

    private static Argument<string> PathArgument() => new("PATH")
    {
        Description = "Project folder (the one holding registry.yml).",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => ".",
    };

    private static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "Diagnostics as text or json.", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        return format;
    }

    private static async Task<int> WriteAsync(TextWriter writer, string text, CancellationToken ct)
    {
        await writer.WriteAsync(text.AsMemory(), ct);
        return Ok;
    }

    private static async Task<int> InitAsync(string? name, string? dir, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        // The project goes to <dir>/<NAME> (dir defaulting to '.'), or to <dir> itself when no NAME is given.
        if (name is not null && !ProjectScaffold.IsValidName(name))
        {
            await stderr.WriteLineAsync($"loopy init: '{name}' is not a valid project name (letters, digits, '.', '_', '-'; starting with a letter or digit)".AsMemory(), ct);
            return Errors;
        }

        var directory = Path.GetFullPath(name is null ? dir ?? "." : Path.Combine(dir ?? ".", name));
        name ??= Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar));
        if (!ProjectScaffold.IsValidName(name))
        {
            await stderr.WriteLineAsync($"loopy init: '{name}' is not a valid project name (letters, digits, '.', '_', '-'; starting with a letter or digit)".AsMemory(), ct);
            return Errors;
        }

        var refusal = ProjectScaffold.Write(directory, name);
        if (refusal is not null)
        {
            await stderr.WriteLineAsync($"loopy init: {refusal}".AsMemory(), ct);
            return Errors;
        }

        await stdout.WriteLineAsync($"Created Loopy project '{name}' in {directory}".AsMemory(), ct);
        await stdout.WriteLineAsync($"Next: loopy check {Quote(directory)}".AsMemory(), ct);
        return Ok;
    }

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;

    private static async Task<int> CompileAsync(string path, string? output, bool checkOnly, string format, TextWriter stdout, TextWriter stderr,
        CompileOptions options, CancellationToken ct)
    {
        if (!Directory.Exists(path))
        {
            var problem = File.Exists(path) ? "is a file; pass the folder holding registry.yml" : "does not exist";
            await stderr.WriteLineAsync($"loopy: project folder '{path}' {problem}".AsMemory(), ct);
            return Usage;
        }

        var result = LoopyCompiler.CompileDirectory(path, options);
        var diagnostics = format == "json" ? LoopyCompiler.FormatJson(result.Diagnostics) : LoopyCompiler.FormatText(result.Diagnostics);
        if (format == "json" || result.Diagnostics.Count > 0)
        {
            await stderr.WriteAsync(diagnostics.AsMemory(), ct);
        }

        var errors = result.Diagnostics.Count(d => d.IsError);
        var warnings = result.Diagnostics.Count - errors;
        if (result.HasErrors)
        {
            await stderr.WriteLineAsync($"{errors} error(s), {warnings} warning(s); nothing written".AsMemory(), ct);
            return Errors;
        }

        var manifest = ManifestLoader.Load(result.ManifestJson!);
        if (IsTerminal(stdout))
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
            ProjectReport.RenderRich(console, manifest);
        }
        else
        {
            await stdout.WriteAsync(ProjectReport.RenderPlain(manifest).AsMemory(), ct);
        }

        var summary = $"{manifest.Workflows.Count} workflow(s), {manifest.Workflows.Sum(w => w.Value.Steps.Count)} step(s), " +
            $"{manifest.Registry.Events.Count} event(s), {manifest.Sensors.Count} sensor(s); {warnings} warning(s)";
        await stdout.WriteLineAsync(summary.AsMemory(), ct);
        if (!checkOnly)
        {
            var target = output is null ? Path.Combine(path, "manifest.json") : Path.GetFullPath(output);
            WriteManifest(target, result);
            await stdout.WriteLineAsync($"wrote {target}".AsMemory(), ct);
        }

        await stdout.WriteLineAsync($"content hash: {result.ContentHash}".AsMemory(), ct);
        return Ok;
    }

    /// <summary>Writes the manifest and, beside it, <c>contract/</c> (stale schemas deleted).</summary>
    internal static void WriteManifest(string target, CompileResult result)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        Directory.CreateDirectory(folder);
        File.WriteAllText(target, result.ManifestJson, Utf8);
        var contracts = Path.Combine(folder, "contract");
        Directory.CreateDirectory(contracts);
        foreach (var stale in Directory.EnumerateFiles(contracts, "*.schema.json"))
        {
            if (!result.Contracts.ContainsKey(Path.GetFileName(stale)))
            {
                File.Delete(stale);
            }
        }

        foreach (var (file, text) in result.Contracts)
        {
            File.WriteAllText(Path.Combine(contracts, file), text, Utf8);
        }
    }

    private static bool IsTerminal(TextWriter stdout) => ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;

    private static async Task<int> ExplainAsync(string code, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var entry = DiagnosticCatalog.Find(code);
        if (entry is null)
        {
            await stderr.WriteLineAsync($"loopy explain: unknown diagnostic code '{code}'; codes: {string.Join(", ", DiagnosticCatalog.All.Select(e => e.Code))}".AsMemory(), ct);
            return Usage;
        }

        var text = new StringBuilder()
            .Append("LOOPY-").Append(entry.Code).Append(" (").Append(entry.Severity == DiagnosticSeverity.Error ? "error" : "warning").Append("): ").Append(entry.Title).Append("\n\n")
            .Append(entry.Explanation).Append("\n\n")
            .Append("Mistake:\n").Append(Indent(entry.Mistake)).Append('\n')
            .Append("Fix:\n").Append(Indent(entry.Fix)).Append('\n')
            .ToString();
        await stdout.WriteAsync(text.AsMemory(), ct);
        return Ok;
    }

    private static string Indent(string text) => string.Concat(text.Split('\n').Select(l => "    " + l + "\n"));
}
