using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Loopy.Compiler;
using Loopy.Standalone;

namespace Loopy.Cli.Commands;

/// <summary>
/// <c>loopy run [PATH] [--port P]</c>: compiles the project (writing <c>manifest.json</c> and <c>contract/</c> as
/// <c>loopy compile</c> does) and serves it with <see cref="StandaloneServer"/> (the AppHost's standalone mode) until
/// Ctrl-C. Exit 0 after Ctrl-C, 1 when the project does not compile or the port cannot be bound.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, CompileOptions options)
    {
        var path = new Argument<string>("PATH")
        {
            Description = "Project folder (the one holding registry.yml).",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => ".",
        };
        var port = new Option<int>("--port")
        {
            Description = $"Port on 127.0.0.1 to serve on (default {StandaloneSettings.DefaultUrl.Port}).",
            DefaultValueFactory = _ => StandaloneSettings.DefaultUrl.Port,
        };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                r.AddError("--port must be between 1 and 65535.");
            }
        });
        var command = new Command("run", "Serve a project standalone (Receiver, Runtime, SensorHost in this process; SQLite under .loopy/) until Ctrl-C.")
        {
            path, port,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(path)!, parse.GetValue(port), stdout, stderr, options, ct));
        return command;
    }

    private static async Task<int> RunAsync(string path, int port, TextWriter stdout, TextWriter stderr, CompileOptions options, CancellationToken ct)
    {
        if (!Directory.Exists(path))
        {
            await stderr.WriteLineAsync($"loopy run: project folder '{path}' {(File.Exists(path) ? "is a file; pass the folder holding registry.yml" : "does not exist")}".AsMemory(), ct);
            return LoopyCli.Usage;
        }

        if (!PortIsFree(port))
        {
            await stderr.WriteLineAsync($"loopy run: port {port} on 127.0.0.1 is in use (another 'loopy run' or AppHost?); pass --port".AsMemory(), ct);
            return LoopyCli.Errors;
        }

        var (input, exitCode) = await ProjectInput.LoadAsync("run", path, stderr, options, ct);
        if (input is null)
        {
            return exitCode;
        }

        var manifest = Path.Combine(input.ProjectRoot, "manifest.json");
        LoopyCli.WriteManifest(manifest, input.Compilation!);
        await stdout.WriteLineAsync($"compiled {input.ProjectRoot} -> {manifest} ({input.Compilation!.ContentHash})".AsMemory(), ct);
        var settings = StandaloneSettings.Create(input.ProjectRoot, manifest, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await StandaloneServer.RunAsync(settings, line =>
            {
                stdout.WriteLine(line);
                stdout.Flush();
            }, ct);
        }
        catch (IOException ex)
        {
            // Kestrel reports a port taken since the check above as an IOException.
            await stderr.WriteLineAsync($"loopy run: cannot serve on {settings.Url}: {ex.Message}".AsMemory(), CancellationToken.None);
            return LoopyCli.Errors;
        }

        return LoopyCli.Ok;
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
