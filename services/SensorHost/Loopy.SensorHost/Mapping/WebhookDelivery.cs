using System.Text.Json;

namespace Loopy.SensorHost.Mapping;

/// <summary>
/// One verified webhook request: its path, headers (lower-case names), raw body text and parsed body
/// (<c>null</c> when the body is empty or, for exec-only paths, not JSON).
/// </summary>
public sealed record WebhookDelivery(string Path, IReadOnlyDictionary<string, string> Headers, string Raw, JsonElement? Body)
{
    public string? Header(string name) =>
        Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}
