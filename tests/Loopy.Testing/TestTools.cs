using Xunit;

namespace Loopy.Testing;

/// <summary>
/// Tools the tests run beyond the servers, installed by <c>eng/tools.sh</c> (<c>eval "$(eng/tools.sh env)"</c>). When
/// <c>CI=true</c> a missing tool fails the test with a clear message; elsewhere the test is skipped with the reason.
/// </summary>
public static class TestTools
{
    /// <summary>The pinned Claude Code CLI (<c>LOOPY_TEST_CLAUDE</c>).</summary>
    public static string Claude => Require("LOOPY_TEST_CLAUDE", "the Claude Code CLI");

    /// <summary>The pinned opencode CLI (<c>LOOPY_TEST_OPENCODE</c>).</summary>
    public static string Opencode => Require("LOOPY_TEST_OPENCODE", "the opencode CLI");

    /// <summary>The pinned Codex CLI (<c>LOOPY_TEST_CODEX</c>).</summary>
    public static string Codex => Require("LOOPY_TEST_CODEX", "the Codex CLI");

    private static string Require(string variable, string tool)
    {
        var path = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(path) && File.Exists(path))
        {
            return path;
        }

        var reason = string.IsNullOrWhiteSpace(path)
            ? $"{tool} is not configured: set {variable} (run `eng/tools.sh install` and `eval \"$(eng/tools.sh env)\"`)."
            : $"{variable} names '{path}', which does not exist (run `eng/tools.sh install`).";
        if (TestServers.IsCi)
        {
            throw new InvalidOperationException($"CI=true and {reason}");
        }

        Assert.Skip(reason);
        return string.Empty;
    }
}
