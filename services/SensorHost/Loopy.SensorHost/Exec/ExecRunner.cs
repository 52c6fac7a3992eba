using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.SensorHost.Configuration;
using Loopy.SensorHost.Mapping;

namespace Loopy.SensorHost.Exec;

/// <summary>
/// Runs an exec sensor (AUTHORING.md §4.3) as a child process in the project root, with only <c>PATH</c>,
/// <c>HOME</c>, <c>LANG</c> and the sensor's declared variables in its environment: one JSON object on stdin,
/// one event per stdout line. A non-zero exit, a timeout, a bad line or a name other than <c>emits</c> discards
/// the whole invocation (<see cref="SensorFailedException"/>).
/// </summary>
public sealed class ExecRunner(string projectRoot, SensorSecrets secrets)
{
    private static readonly string[] InheritedVariables = ["PATH", "HOME", "LANG"];

    public async Task<IReadOnlyList<CandidateEvent>> RunAsync(ExecSpec spec, string input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(input);
        if (spec.Argv.Count == 0)
        {
            throw new SensorFailedException($"sensor '{spec.SensorName}' has an empty exec");
        }

        var root = Path.GetFullPath(projectRoot);
        var program = spec.Argv[0];
        if (program.Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(program))
        {
            program = Path.Combine(root, program);
        }

        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (var argument in spec.Argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var name in InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var name in spec.Env)
        {
            if (secrets.Get(name) is { } value)
            {
                start.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new SensorFailedException($"sensor '{spec.SensorName}': its program could not be started", ex);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(spec.Timeout);
        string output;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            // stderr is drained so the child never blocks on a full pipe; it is not logged (it may hold payload data).
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program exited without reading all of stdin; its exit code decides.
            }

            output = await stdout;
            await stderr;
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new SensorFailedException($"sensor '{spec.SensorName}' timed out after {spec.Timeout.TotalSeconds:0.#}s");
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new SensorFailedException($"sensor '{spec.SensorName}' exited with code {process.ExitCode}");
        }

        return ParseOutput(spec, output);
    }

    /// <summary>Reads the program's stdout: one <c>{"fields", "id"?, "name"?}</c> per non-blank line.</summary>
    public static IReadOnlyList<CandidateEvent> ParseOutput(ExecSpec spec, string output)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var events = new List<CandidateEvent>();
        var lineNumber = 0;
        foreach (var rawLine in output.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            JsonObject? item;
            try
            {
                item = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                item = null;
            }

            if (item is null || item["fields"] is not JsonObject fields)
            {
                throw new SensorFailedException($"sensor '{spec.SensorName}': stdout line {lineNumber} is not a JSON object with a \"fields\" object");
            }

            string? name = null;
            if (item["name"] is { } nameNode)
            {
                name = nameNode.GetValueKind() == JsonValueKind.String ? nameNode.GetValue<string>() : null;
                if (name != spec.Emits)
                {
                    throw new SensorFailedException($"sensor '{spec.SensorName}': stdout line {lineNumber} names an event other than '{spec.Emits}', the one it emits");
                }
            }

            string? id = null;
            if (item["id"] is { } idNode)
            {
                if (idNode.GetValueKind() != JsonValueKind.String || idNode.GetValue<string>() is not { Length: > 0 } text)
                {
                    throw new SensorFailedException($"sensor '{spec.SensorName}': stdout line {lineNumber} has an id that is not a non-empty string");
                }

                id = text;
            }

            fields.Parent?.AsObject().Remove("fields");
            events.Add(new CandidateEvent(spec.Emits, fields, id));
        }

        return events;
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited.
        }
    }
}
