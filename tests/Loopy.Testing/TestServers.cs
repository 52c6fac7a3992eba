using Xunit;

namespace Loopy.Testing;

/// <summary>
/// The real servers the tests run against, read from <c>LOOPY_TEST_POSTGRES|RABBITMQ|REDIS</c>
/// (set by <c>eng/servers.sh env</c>). When <c>CI=true</c> a missing server fails the test with a
/// clear message; elsewhere the test is skipped with the reason.
/// </summary>
public static class TestServers
{
    public static string Postgres => Require("LOOPY_TEST_POSTGRES", "Postgres");

    public static string RabbitMq => Require("LOOPY_TEST_RABBITMQ", "RabbitMQ");

    public static string Redis => Require("LOOPY_TEST_REDIS", "Redis");

    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string Require(string variable, string server)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        var reason = $"{server} is not configured: set {variable} (run `eval \"$(eng/servers.sh env)\"` after `eng/servers.sh start`).";
        if (IsCi)
        {
            throw new InvalidOperationException($"CI=true and {reason}");
        }

        Assert.Skip(reason);
        return string.Empty;
    }
}
