namespace Loopy.Receiver;

/// <summary>One producer: its name, its shared secret, and the event names it may send (<c>*</c> = any).</summary>
public sealed class ProducerOptions
{
    public string Name { get; set; } = string.Empty;

    /// <summary>The bearer token and the Standard Webhooks signing key (raw, or <c>whsec_</c> + base64).</summary>
    public string Secret { get; set; } = string.Empty;

    public IList<string> Events { get; } = [];

    public bool MaySend(string eventName) =>
        Events.Any(e => e == "*" || string.Equals(e, eventName, StringComparison.Ordinal));
}
