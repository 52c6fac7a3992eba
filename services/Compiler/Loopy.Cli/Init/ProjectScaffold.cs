using System.Text;
using System.Text.RegularExpressions;

namespace Loopy.Cli.Init;

/// <summary>What <c>loopy init</c> writes (AUTHORING.md §5): a project <c>loopy check</c> accepts with only W501.</summary>
public static partial class ProjectScaffold
{
    private static readonly string[] IgnoreLines = ["manifest.json", "contract/", ".loopy/", "loopy.env", "secrets/", "sensors/.env"];

    public static bool IsValidName(string name) => NameRegex().IsMatch(name);

    /// <summary>Files to write, relative posix path → content.</summary>
    public static IReadOnlyDictionary<string, string> Files(string name) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["registry.yml"] = $"""
            # {name}: the shared entities of this Loopy project (see AUTHORING.md §2).
            sandboxes:
              default:
                provider: local
                env_file: secrets/base.env
            agents:
              Claude:
                sandbox: default
                harness: claude-code
                model: claude-sonnet-4-6
            events:
              Hello:
                name: str

            """,
        ["workflows/hello/greet.md"] = """
            ---
            on: Hello
            agent: Claude
            output:
              greeting: str
            ---
            Write a one-sentence, friendly greeting for {{ event.name }}.

            """,
        ["workflows/review/code-review.md.disabled"] = """
            ---
            on: Github.PullRequestOpened
            agent: Claude
            output:
              summary: str
            ---
            Review pull request #{{ event.number }} "{{ event.title }}" in {{ event.repo }} ({{ event.url }}).
            Rename this file to code-review.md to switch the step on.

            """,
        ["secrets/base.env"] = """
            # Sandbox environment (never committed). Fill in, one KEY=value per line.
            ANTHROPIC_API_KEY=

            """,
        [".gitignore"] = string.Join('\n', IgnoreLines) + "\n",
        ["README.md"] = $"""
            # {name}

            A Loopy project.

            - `loopy check` validates it; `loopy compile` writes `manifest.json` and `contract/`.
            - `registry.yml` holds sandboxes, agents and events; each step is `workflows/<workflow>/<step>.md`.
            - Put `ANTHROPIC_API_KEY` in `secrets/base.env` before running the `Claude` agent.

            """,
    };

    /// <summary>Writes the scaffold into <paramref name="directory"/>; null on success, else why it was refused.</summary>
    public static string? Write(string directory, string name)
    {
        if (Directory.Exists(directory))
        {
            var existing = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).ToList();
            if (existing.Any(e => e is not ".gitignore" and not "loopy.env"))
            {
                return $"refusing to initialise '{directory}': the folder is not empty";
            }
        }

        foreach (var (path, content) in Files(name))
        {
            var full = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (path == ".gitignore" && File.Exists(full))
            {
                var lines = File.ReadAllLines(full).ToHashSet(StringComparer.Ordinal);
                var missing = IgnoreLines.Where(l => !lines.Contains(l)).ToList();
                if (missing.Count > 0)
                {
                    var text = File.ReadAllText(full);
                    var prefix = text.Length > 0 && !text.EndsWith('\n') ? "\n" : string.Empty;
                    File.AppendAllText(full, prefix + string.Join('\n', missing) + "\n", new UTF8Encoding(false));
                }

                continue;
            }

            File.WriteAllText(full, content, new UTF8Encoding(false));
        }

        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NameRegex();
}
