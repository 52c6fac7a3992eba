namespace Loopy.SensorHost.Mapping;

/// <summary>Turns one webhook delivery into zero or more candidate events of one sensor.</summary>
public interface IWebhookMapper
{
    /// <exception cref="Exec.SensorFailedException">The sensor's program failed; the whole invocation is discarded.</exception>
    Task<IReadOnlyList<CandidateEvent>> MapAsync(WebhookDelivery delivery, CancellationToken cancellationToken);
}
