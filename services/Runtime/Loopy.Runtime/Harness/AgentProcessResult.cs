namespace Loopy.Runtime.Harness;

/// <summary>How an agent process ended: its exit code, the head of its stdout and the tail of its stderr.</summary>
public sealed record AgentProcessResult(int ExitCode, string Stdout, string Stderr)
{
    private const int FailureTailChars = 2000;

    /// <summary>The last 2,000 characters of stderr, else of stdout, else <c>(no output)</c> (AUTHORING.md §9.1).</summary>
    public string FailureTail
    {
        get
        {
            var tail = Stderr.Trim().Length > 0 ? Stderr : Stdout.Trim().Length > 0 ? Stdout : "(no output)";
            return tail.Length > FailureTailChars ? tail[^FailureTailChars..] : tail;
        }
    }
}
