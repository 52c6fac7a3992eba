namespace Loopy.Runtime.Tests.Agents;

/// <summary>
/// Loopy projects whose agent runs a real LLM CLI against a loopback mock (<c>claude-code</c> or <c>opencode</c>), or
/// a fake <c>claude</c> script on the sandbox PATH.
/// </summary>
public static class AgentProjects
{
    /// <summary>
    /// A project with one <c>claude-code</c> agent (skills <c>review</c> and <c>tools/lint</c>) and workflows
    /// <c>ask</c> (no output: the reply is the model's text), <c>capped</c> (<c>budget.spend</c> 1 USD) and
    /// <c>typed</c> (an output); <paramref name="env"/> is the sandbox's env file, <paramref name="fakeClaude"/>
    /// when set the body of a <c>claude</c> script placed first on its PATH; <paramref name="harness"/> and
    /// <paramref name="model"/> are the agent's, <paramref name="provider"/> and <paramref name="network"/> (its egress
    /// allowlist, when given) the sandbox's.
    /// </summary>
    public static string Create(
        IReadOnlyDictionary<string, string> env,
        string? fakeClaude = null,
        string capUsd = "1",
        string harness = "claude-code",
        string model = "claude-sonnet-4-6",
        string provider = "local",
        IReadOnlyList<string>? network = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        var root = Directory.CreateTempSubdirectory("loopy-rt-agents-").FullName;
        var variables = new Dictionary<string, string>(env, StringComparer.Ordinal) { ["RECORD_DIR"] = Path.Combine(root, "out") };
        if (fakeClaude is not null)
        {
            Write(root, "bin/claude", "#!/bin/sh\n" + fakeClaude);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(root, "bin", "claude"), (UnixFileMode)0b111_101_101);
            }

            variables["PATH"] = $"{Path.Combine(root, "bin")}:/usr/local/bin:/usr/bin:/bin";
        }

        Write(root, "agent.env", string.Join("\n", variables.Select(v => $"{v.Key}={v.Value}")));
        Write(root, "registry.yml", $$"""
            sandboxes:
              default: { provider: {{provider}}, env_file: agent.env{{(network is null ? string.Empty : $", network: [{string.Join(", ", network.Select(n => $"\"{n}\""))}]")}} }
            agents:
              Writer: { sandbox: default, harness: {{harness}}, model: {{model}}, skills: [review, tools/lint] }
            events:
              Ask: { q: str }
              Capped: { q: str }
              Typed: { q: str }
            """);
        Write(root, "skills/review/SKILL.md", "---\nname: review\ndescription: \"Review a change for bugs\"\n---\nRead the diff first.");
        Write(root, "skills/review/checklist.md", "- tests\n");
        Write(root, "skills/tools/lint/SKILL.md", "Run the linter before committing.\n\nMore text.");
        Write(root, "workflows/ask/answer.md", "---\non: Ask\nagent: Writer\n---\nAnswer {{ event.q }}");
        Write(root, "workflows/capped/spend.md", $"---\non: Capped\nagent: Writer\nbudget: {{ spend: {{ usd: {capUsd} }} }}\n---\nSpend on {{{{ event.q }}}}");
        Write(root, "workflows/typed/answer.md", "---\non: Typed\nagent: Writer\noutput: { verdict: str }\n---\nJudge {{ event.q }}");
        TestProjects.Compile(root);
        return root;
    }

    /// <summary>The sandbox env for the real CLI against <paramref name="mock"/>.</summary>
    public static Dictionary<string, string> RealClaudeEnv(string claude, MockAnthropicApi mock, string apiKey = "sk-loopy-test-key") => new(StringComparer.Ordinal)
    {
        ["PATH"] = $"{Path.GetDirectoryName(claude)}:/usr/local/bin:/usr/bin:/bin",
        ["ANTHROPIC_BASE_URL"] = mock.BaseUrl,
        ["ANTHROPIC_API_KEY"] = apiKey,
        ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
        ["DISABLE_TELEMETRY"] = "1",
        ["DISABLE_AUTOUPDATER"] = "1",
    };

    /// <summary>
    /// The sandbox env for the real opencode CLI against <paramref name="mock"/>: its Anthropic provider (the AI SDK)
    /// reads <c>ANTHROPIC_BASE_URL</c> including the <c>/v1</c> segment; the models.dev refresh and the background npm
    /// install of its plugin package into <c>$HOME/.config/opencode</c> are switched off, so nothing leaves loopback.
    /// </summary>
    public static Dictionary<string, string> RealOpencodeEnv(string opencode, MockAnthropicApi mock, string apiKey = "sk-loopy-test-key") => new(StringComparer.Ordinal)
    {
        ["PATH"] = $"{Path.GetDirectoryName(opencode)}:/usr/local/bin:/usr/bin:/bin",
        ["ANTHROPIC_BASE_URL"] = $"{mock.BaseUrl}/v1",
        ["ANTHROPIC_API_KEY"] = apiKey,
        ["OPENCODE_DISABLE_MODELS_FETCH"] = "1",
        ["OPENCODE_DISABLE_AUTOUPDATE"] = "1",
        ["OPENCODE_DISABLE_SHARE"] = "1",
        ["npm_config_offline"] = "true",
    };

    /// <summary>
    /// The sandbox env for the real Codex CLI against <paramref name="mock"/>: <c>OPENAI_BASE_URL</c> (with <c>/v1</c>),
    /// which the harness hands to the CLI as <c>-c openai_base_url=…</c>, and the key.
    /// </summary>
    public static Dictionary<string, string> RealCodexEnv(string codex, MockOpenAiResponsesApi mock, string apiKey = "sk-loopy-test-key") => new(StringComparer.Ordinal)
    {
        ["PATH"] = $"{Path.GetDirectoryName(codex)}:/usr/local/bin:/usr/bin:/bin",
        ["OPENAI_BASE_URL"] = $"{mock.BaseUrl}/v1",
        ["OPENAI_API_KEY"] = apiKey,
    };

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
    }
}
