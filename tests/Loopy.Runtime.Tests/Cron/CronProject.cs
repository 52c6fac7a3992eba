namespace Loopy.Runtime.Tests.Cron;

/// <summary>A Loopy project with one cron-triggered workflow whose agent records its prompt under <c>out/</c>.</summary>
public static class CronProject
{
    /// <summary>Writes and compiles the project; <paramref name="trigger"/> is the step's <c>on:</c> value.</summary>
    public static string Create(string workflow, string step, string trigger)
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-cron-").FullName;
        Write(root, "registry.yml", """
            defaults:
              agent: { sandbox: default, harness: exec, model: script-v1 }
            sandboxes:
              default: { provider: local }
            agents:
              TickAgent: { command: [sh, scripts/tick.sh] }
            events:
              Noop: { n: str }
            """);
        Write(root, "scripts/tick.sh", """
            cd "$(dirname "$0")/.." || exit 1
            mkdir -p out
            cat > "out/prompt-$LOOPY_RUN_ID.txt"
            echo '{"output": {"ok": true}}'
            """);
        Write(root, $"workflows/{workflow}/{step}.md", $"""
            ---
            on: {trigger}
            agent: TickAgent
            output: {"{"} ok: bool {"}"}
            ---
            Tick {"{{"} event.scheduled_at {"}}"} after {"{{"} event.last_run {"}}"}.
            """);
        TestProjects.Compile(root);
        return root;
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
    }
}
