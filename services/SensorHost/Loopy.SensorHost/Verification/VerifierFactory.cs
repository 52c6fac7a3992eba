using System.Text.Json;

namespace Loopy.SensorHost.Verification;

/// <summary>Builds the verifier a sensor's <c>verify.scheme</c> names, keyed by the resolved secret.</summary>
public static class VerifierFactory
{
    /// <summary>The timestamp window of the schemes that carry one (Stripe, Slack, Standard Webhooks).</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    /// <summary>The window of Linear's <c>webhookTimestamp</c> (Linear's documentation suggests a minute).</summary>
    public static readonly TimeSpan LinearTolerance = TimeSpan.FromSeconds(60);

    /// <summary>The schemes this host knows.</summary>
    public static IReadOnlyList<string> Schemes { get; } =
        ["github", "sentry", "datadog", "linear", "stripe", "slack", "standard-webhooks", "hmac-sha256"];

    /// <exception cref="InvalidOperationException">The scheme is unknown, or <c>hmac-sha256</c> has no <c>header</c>.</exception>
    public static IWebhookVerifier Create(string scheme, string secret, JsonElement? verify)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(secret);
        return scheme switch
        {
            "github" => new GitHubVerifier(secret),
            "sentry" => new SentryVerifier(secret),
            "datadog" => new DatadogVerifier(secret),
            "linear" => new LinearVerifier(secret, LinearTolerance),
            "stripe" => new StripeVerifier(secret, DefaultTolerance),
            "slack" => new SlackVerifier(secret, DefaultTolerance),
            "standard-webhooks" => new StandardWebhooksVerifier(secret, DefaultTolerance),
            "hmac-sha256" => new HmacSha256Verifier(
                secret,
                Text(verify, "header") ?? throw new InvalidOperationException("verify scheme hmac-sha256 needs a header"),
                Text(verify, "prefix") ?? string.Empty,
                Text(verify, "encoding") ?? "hex"),
            _ => throw new InvalidOperationException($"unknown verify scheme '{scheme}'; known: {string.Join(", ", Schemes)}"),
        };
    }

    private static string? Text(JsonElement? verify, string key) =>
        verify is { ValueKind: JsonValueKind.Object } v && v.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
