using System.Text.Json;
using Loopy.Contracts.Messages;

namespace Loopy.Bench.Bus;

/// <summary>The message every benchmark sends: a realistic accepted event, the same bytes for ours and raw.</summary>
internal static class Messages
{
    private static readonly JsonElement Fields = JsonDocument.Parse(
        """{"issue":{"id":"4711","title":"NullReferenceException in CheckoutController","level":"error","project":"shop"},"count":3}""").RootElement.Clone();

    public static EventAccepted Create(string eventName, int index) => new()
    {
        EventId = $"bench-{index}-{Guid.NewGuid():N}",
        EventName = eventName,
        Fields = Fields,
        Producer = "bench",
        AcceptedAt = TimeProvider.System.GetUtcNow(),
        ManifestVersion = "sha256:bench",
        ChainDepth = 0,
    };

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize(EventAccepted message) => JsonSerializer.SerializeToUtf8Bytes(message, Json);
}
