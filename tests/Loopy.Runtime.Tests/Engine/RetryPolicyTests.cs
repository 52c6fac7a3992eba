using Loopy.Runtime.Engine;

namespace Loopy.Runtime.Tests.Engine;

public sealed class RetryPolicyTests
{
    [Theory]
    [InlineData(1, 0.0, 1600)]
    [InlineData(1, 1.0, 2400)]
    [InlineData(2, 0.5, 4000)]
    [InlineData(3, 0.5, 8000)]
    [InlineData(10, 0.5, 60000)]
    public void Waits_two_seconds_times_two_to_the_attempt_minus_one_with_20_percent_jitter_capped_at_60(int attempt, double jitter, double expectedMs)
    {
        var delay = RetryPolicy.Delay(attempt, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), jitter);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, 3);
    }
}
