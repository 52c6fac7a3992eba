using System.Text.Json;
using Loopy.Contracts.Messages;

namespace Loopy.Bus;

/// <summary>How messages are written on the wire by the in-process and Redis transports.</summary>
internal static class BusJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static byte[] Serialize(EventAccepted message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    public static EventAccepted Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<EventAccepted>(json, Options) ?? throw new JsonException("The message is JSON null.");

    public static string DescribeFailure(Exception exception) => $"{exception.GetType().FullName}: {exception.Message}";
}
