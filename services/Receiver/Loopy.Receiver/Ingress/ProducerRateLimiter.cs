using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Loopy.Receiver.Ingress;

/// <summary>A token bucket per producer (per replica), from <see cref="ReceiverOptions.RateLimitPerSecond"/>.</summary>
public sealed class ProducerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public ProducerRateLimiter(IOptions<ReceiverOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _limiter = PartitionedRateLimiter.Create<string, string>(producer =>
            settings.RateLimitPerSecond <= 0
                ? RateLimitPartition.GetNoLimiter(producer)
                : RateLimitPartition.GetTokenBucketLimiter(producer, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, settings.RateLimitBurst),
                    TokensPerPeriod = settings.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                }));
    }

    public RateLimitLease Acquire(string producer) => _limiter.AttemptAcquire(producer);

    public void Dispose() => _limiter.Dispose();
}
