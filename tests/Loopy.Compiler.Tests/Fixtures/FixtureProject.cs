using System.Text;
using Loopy.Compiler.Projects;

namespace Loopy.Compiler.Tests.Fixtures;

/// <summary>A small project that compiles with no diagnostic at all; each fixture changes a few files of it.</summary>
public static class FixtureProject
{
    public const string Registry = """
        sandboxes:
          default:
            provider: local
        agents:
          Worker:
            sandbox: default
            harness: exec
            model: fake-v1
            command: [sh, run.sh]
        events:
          Ping:
            name: str
            level: int

        """;

    public const string Start = """
        ---
        on: Ping
        agent: Worker
        output:
          result: str
        ---
        Handle {{ event.name }}.

        """;

    public const string Finish = """
        ---
        after: start
        agent: Worker
        ---
        Finish {{ start.result }}.

        """;

    public const string Sensor = """
        ping_hook:
          webhook: /hooks/ping
          emits: Ping
          map: { name: $.name, level: $.level }

        """;

    public static Dictionary<string, string?> Base() => new(StringComparer.Ordinal)
    {
        ["registry.yml"] = Registry,
        ["workflows/flow/start.md"] = Start,
        ["workflows/flow/finish.md"] = Finish,
        ["sensors/ping.yml"] = Sensor,
    };

    /// <summary>The base project with <paramref name="changes"/> applied (a null content deletes the file).</summary>
    public static ProjectSource With(IReadOnlyDictionary<string, string?> changes, IEnumerable<string>? listedTwice = null)
    {
        var files = Base();
        foreach (var (path, content) in changes)
        {
            files[path] = content;
        }

        var entries = files.Where(f => f.Value is not null)
            .Select(f => new KeyValuePair<string, byte[]>(f.Key, Encoding.UTF8.GetBytes(f.Value!))).ToList();
        foreach (var path in listedTwice ?? [])
        {
            entries.Add(new(path, Encoding.UTF8.GetBytes(files[path]!)));
        }

        return ProjectSource.FromEntries(entries);
    }
}
