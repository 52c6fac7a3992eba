using Loopy.Compiler;
using Loopy.Testing;

namespace Loopy.Runtime.Tests;

/// <summary>Loopy projects the tests run: the incident-triage example, and a project of scenario workflows. Compiled with the compiler library.</summary>
public static class TestProjects
{
    /// <summary>
    /// A copy of <c>examples/incident-triage</c> whose fake agent also records each prompt under <c>out/</c> and
    /// spends a second in the two parallel branches (so their time windows can be seen to overlap).
    /// </summary>
    public static string IncidentTriage()
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-triage-").FullName;
        CopyDirectory(Path.Combine(RepositoryRoot.Path, "examples", "incident-triage"), root);
        var script = Path.Combine(root, "scripts", "triage.sh");
        var original = File.ReadAllText(script).Replace("cat >/dev/null\n", string.Empty, StringComparison.Ordinal);
        File.WriteAllText(script, """
            #!/bin/sh
            cd "$(dirname "$0")/.." || exit 1
            mkdir -p out
            cat > "out/prompt-$1-$LOOPY_RUN_ID.txt"
            case "$1" in logs|deploys) sleep 1 ;; esac

            """ + original.Replace("#!/bin/sh\n", string.Empty, StringComparison.Ordinal));
        Compile(root);
        return root;
    }

    public const string ScenarioRegistry = """
        defaults:
          agent: { sandbox: default, harness: exec, model: script-v1 }
        sandboxes:
          default: { provider: local }
        agents:
          OkAgent:       { command: [sh, scripts/ok.sh] }
          FlakyAgent:    { command: [sh, scripts/flaky.sh] }
          FragileAgent:  { command: [sh, scripts/fragile.sh] }
          InvalidAgent:  { command: [sh, scripts/invalid.sh] }
          PingerAgent:   { command: [sh, scripts/ping.sh] }
          SlowAgent:     { command: [sh, scripts/slow.sh] }
          SleeperAgent:  { command: "sleep 30" }
          EnvAgent:      { command: [sh, scripts/env.sh] }
        events:
          Flaky: { n: str }
          Fragile: { n: str }
          Invalid: { n: str }
          Ping: { n: str }
          Slow: { n: str }
          Noop: { n: str }
          Hang: { n: str }
          EnvCheck: { n: str }
        """;

    /// <summary>The scenario project: one workflow per behaviour under test.</summary>
    public static string Scenarios()
    {
        var root = Directory.CreateTempSubdirectory("loopy-rt-scenarios-").FullName;
        Write(root, "registry.yml", ScenarioRegistry);
        Write(root, "scripts/ok.sh", """
            cat >/dev/null
            echo '{"output": {"ok": true}}'
            """);
        Write(root, "scripts/flaky.sh", """
            cat >/dev/null
            if [ "$LOOPY_ATTEMPT" -lt 3 ]; then echo "flaky attempt $LOOPY_ATTEMPT fails" >&2; exit 1; fi
            echo '{"output": {"ok": true}}'
            """);
        Write(root, "scripts/fragile.sh", """
            cat >/dev/null
            cd "$(dirname "$0")/.." || exit 1
            if [ ! -f fixed.marker ]; then echo "fragile is broken" >&2; exit 3; fi
            echo '{"output": {"ok": true}}'
            """);
        Write(root, "scripts/invalid.sh", """
            cat >/dev/null
            echo 'Here you go: {"output": {"count": "three"}}'
            """);
        Write(root, "scripts/ping.sh", """
            cat >/dev/null
            echo '{"output": {"ok": true}, "emits": {"Ping": {"n": "again"}}}'
            """);
        Write(root, "scripts/slow.sh", """
            cat >/dev/null
            cd "$(dirname "$0")/.." || exit 1
            mkdir -p out
            echo "started $LOOPY_IDEMPOTENCY_KEY attempt $LOOPY_ATTEMPT" >> out/side-effects.log
            sleep "${SLOW_SECONDS:-4}"
            # The side effect dedupes on the idempotency key, as an agent's PR or ticket would.
            flock out/side-effects.lock sh -c "grep -qx 'completed $LOOPY_IDEMPOTENCY_KEY' out/side-effects.log || echo 'completed $LOOPY_IDEMPOTENCY_KEY' >> out/side-effects.log"
            echo '{"output": {"ok": true}}'
            """);
        Write(root, "scripts/env.sh", """
            cat > /dev/null
            cd "$(dirname "$0")/.." || exit 1
            mkdir -p out
            env | sort > "out/env-$LOOPY_RUN_ID.txt"
            cp "$LOOPY_CONTEXT" "out/context-$LOOPY_RUN_ID.json"
            echo '{"output": {"ok": true}}'
            """);

        Step(root, "flaky/work", "on: Flaky\nagent: FlakyAgent\noutput: { ok: bool }", "Try {{ event.n }}.");
        Step(root, "fragile/prepare", "on: Fragile\nagent: OkAgent\noutput: { ok: bool }", "Prepare {{ event.n }}.");
        Step(root, "fragile/break", "after: prepare\nagent: FragileAgent\noutput: { ok: bool }", "Break? prepared={{ prepare.ok }}");
        Step(root, "fragile/report", "after: break\nagent: OkAgent\noutput: { ok: bool }", "Report {{ break.ok }}.");
        Step(root, "invalid/count", "on: Invalid\nagent: InvalidAgent\noutput: { count: int }", "Count {{ event.n }}.");
        Step(root, "loop/echo", "on: Ping\nagent: PingerAgent\noutput: { ok: bool }\nemits: { Ping: { when: always } }", "Ping {{ event.n }}.");
        Step(root, "slow/long", "on: Slow\nagent: SlowAgent\noutput: { ok: bool }", "Take your time with {{ event.n }}.");
        Step(root, "slow/finish", "after: long\nagent: OkAgent\noutput: { ok: bool }", "Finish {{ long.ok }}.");
        Step(root, "noop/only", "on: Noop\nagent: OkAgent\noutput: { ok: bool }", "Nothing to do for {{ event.n }}.");
        Step(root, "hang/sleep", "on: Hang\nagent: SleeperAgent\nbudget: { wall_clock: 1 }", "Sleep.");
        Step(root, "envcheck/dump", "on: EnvCheck\nagent: EnvAgent\noutput: { ok: bool }", "Dump {{ event.n }}.");
        Compile(root);
        return root;
    }

    public static void Compile(string root)
    {
        var result = LoopyCompiler.CompileDirectory(root);
        if (result.HasErrors || result.ManifestJson is null)
        {
            throw new InvalidOperationException("test project does not compile:\n" + LoopyCompiler.FormatText(result.Diagnostics));
        }

        File.WriteAllText(Path.Combine(root, "manifest.json"), result.ManifestJson);
        ShareWithAgents(root);
    }

    /// <summary>
    /// Agents run as an unprivileged user in a fresh working directory (the local provider, when tests run as root):
    /// the project must be readable by it, and the scripts that record what they saw (<c>cd</c> to the project root)
    /// need a writable <c>out/</c>.
    /// </summary>
    public static void ShareWithAgents(string root)
    {
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(root, Readable);
        foreach (var directory in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(directory, Readable);
        }

        var output = Directory.CreateDirectory(Path.Combine(root, "out")).FullName;
        File.SetUnixFileMode(output, Readable | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);
    }

    private static void Step(string root, string id, string frontmatter, string body) =>
        Write(root, $"workflows/{id}.md", $"---\n{frontmatter}\n---\n{body}\n");

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
