namespace Loopy.Runtime.Engine;

/// <summary>Backoff between attempts (AUTHORING.md §8.5): base × 2^(attempt−1), ±20 % jitter, capped.</summary>
public static class RetryPolicy
{
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double jitterSample)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var nominal = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var jittered = nominal * (0.8 + (0.4 * Math.Clamp(jitterSample, 0, 1)));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, maxDelay.TotalMilliseconds));
    }
}
