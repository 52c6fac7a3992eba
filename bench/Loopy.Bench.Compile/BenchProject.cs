using System.Globalization;
using System.Text;

namespace Loopy.Bench.Compile;

/// <summary>Writes a synthetic project: one event per workflow, a fan-out/fan-in of steps with typed outputs and templates.</summary>
public static class BenchProject
{
    public static void Write(string root, int workflows, int stepsPerWorkflow)
    {
        var registry = new StringBuilder("""
            sandboxes:
              default:
                provider: local
            agents:
              Worker:
                sandbox: default
                harness: exec
                model: bench-v1
                command: [sh, run.sh]
            events:

            """);
        for (var w = 0; w < workflows; w++)
        {
            registry.Append(CultureInfo.InvariantCulture, $"  Event{w}:\n    name: str\n    count: int\n    link: url\n");
        }

        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "registry.yml"), registry.ToString());
        var sensors = new StringBuilder();
        for (var w = 0; w < workflows; w++)
        {
            var dir = Path.Combine(root, "workflows", "wf" + w.ToString("D3", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            sensors.Append(CultureInfo.InvariantCulture, $"hook{w}:\n  webhook: /hooks/w{w}\n  emits: Event{w}\n  map: {{ name: $.name, count: $.count, link: $.link }}\n");
            for (var s = 0; s < stepsPerWorkflow; s++)
            {
                var front = s == 0
                    ? $"on: Event{w}"
                    : s == stepsPerWorkflow - 1 && s > 1
                        ? "after: [" + string.Join(", ", Enumerable.Range(1, s - 1).Select(i => "s" + i.ToString(CultureInfo.InvariantCulture))) + "]"
                        : "after: s0";
                var body = s == 0
                    ? $"Start {{{{ event.name }}}} with {{{{ event.count }}}} items from {{{{ event.link }}}}."
                    : s == stepsPerWorkflow - 1 && s > 1
                        ? string.Join(" ", Enumerable.Range(1, s - 1).Select(i => $"Use {{{{ s{i}.result }}}}."))
                        : "Continue {{ s0.result }} and {{ s0.score }}.";
                File.WriteAllText(Path.Combine(dir, $"s{s}.md"),
                    $"---\n{front}\nagent: Worker\noutput:\n  result: str\n  score: float\n  verdict: \"enum[pass, fail]\"\nbudget: {{ wall_clock: 10, spend: {{ usd: 0.5 }} }}\n---\n{body}\nSome more prompt text that an author would write, a paragraph or so.\n");
            }
        }

        Directory.CreateDirectory(Path.Combine(root, "sensors"));
        File.WriteAllText(Path.Combine(root, "sensors", "hooks.yml"), sensors.ToString());
    }
}
