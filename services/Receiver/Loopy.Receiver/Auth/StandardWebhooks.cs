using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Loopy.Receiver.Auth;

/// <summary>
/// Signing and verification in the Standard Webhooks form: HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>,
/// keyed by the secret (<c>whsec_</c> + base64, or the raw secret text), sent as <c>v1,&lt;base64&gt;</c>;
/// the header may carry several space-separated signatures.
/// </summary>
public static class StandardWebhooks
{
    private const string SecretPrefix = "whsec_";

    public static string Sign(string secret, string id, string timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(Compute(secret, id, timestamp, body));

    public static bool Verify(string secret, string id, string timestamp, ReadOnlySpan<byte> body, string signatureHeader)
    {
        ArgumentNullException.ThrowIfNull(signatureHeader);
        var expected = Compute(secret, id, timestamp, body);
        var matched = false;
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!candidate.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }

            var encoded = candidate.AsSpan(3);
            var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(encoded.Length)];
            if (Convert.TryFromBase64Chars(encoded, decoded, out var written))
            {
                matched |= CryptographicOperations.FixedTimeEquals(decoded.AsSpan(0, written), expected);
            }
        }

        return matched;
    }

    private static byte[] Compute(string secret, string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var key = secret.StartsWith(SecretPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(secret[SecretPrefix.Length..])
            : Encoding.UTF8.GetBytes(secret);
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }
}
