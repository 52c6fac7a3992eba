using Xunit;

namespace Loopy.Testing;

/// <summary>
/// Tools the tests run beyond the servers, installed by <c>eng/tools.sh</c> (<c>eval "$(eng/tools.sh env)"</c>). When
/// <c>CI=true</c> a missing tool fails the test with a clear message; elsewhere the test is skipped with the reason.
/// </summary>
public static class TestTools
{
    /// <summary>The pinned Claude Code CLI (<c>LOOPY_TEST_CLAUDE</c>).</summary>
    public static string Claude
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("LOOPY_TEST_CLAUDE");
            if (!string.IsNullOrWhiteSpace(path) && File.Exists(path))
            {
                return path;
            }

            var reason = string.IsNullOrWhiteSpace(path)
                ? "the Claude Code CLI is not configured: set LOOPY_TEST_CLAUDE (run `eng/tools.sh install` and `eval \"$(eng/tools.sh env)\"`)."
                : $"LOOPY_TEST_CLAUDE names '{path}', which does not exist (run `eng/tools.sh install`).";
            if (TestServers.IsCi)
            {
                throw new InvalidOperationException($"CI=true and {reason}");
            }

            Assert.Skip(reason);
            return string.Empty;
        }
    }
}
