using System.Security.Cryptography;
using System.Text;
using Loopy.SensorHost.Mapping;

namespace Loopy.SensorHost.Delivery;

/// <summary>
/// Deterministic event ids, so that a retried delivery (by this host or by the vendor) is deduplicated by the
/// Receiver: an id the sensor gave is kept; otherwise a hash of the sensor, the delivery (the vendor's delivery
/// id header, else the raw body) and the event's position, or for a poll the window start and the event's fields.
/// </summary>
public static class EventIds
{
    private static readonly string[] DeliveryHeaders = ["x-github-delivery", "webhook-id", "linear-delivery", "request-id", "x-request-id"];

    /// <summary>What identifies a webhook delivery across the vendor's retries.</summary>
    public static string DeliveryKey(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        foreach (var header in DeliveryHeaders)
        {
            if (delivery.Header(header) is { Length: > 0 } value)
            {
                return header + ":" + value;
            }
        }

        return "body:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(delivery.Raw)));
    }

    public static string ForWebhook(string sensorName, string deliveryKey, int index, CandidateEvent candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return candidate.Id ?? "wh_" + Hash($"{sensorName}\n{deliveryKey}\n{index}");
    }

    public static string ForPoll(string sensorName, string windowStart, CandidateEvent candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return candidate.Id ?? "poll_" + Hash($"{sensorName}\n{windowStart}\n{candidate.Fields.ToJsonString()}");
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];
}
