using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Loopy.SensorHost.Verification;

/// <summary>HMAC and constant-time comparison helpers shared by the verifiers.</summary>
internal static class Signatures
{
    public static byte[] HmacSha256(string secret, ReadOnlySpan<byte> data) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data);

    public static byte[] HmacSha256(byte[] key, ReadOnlySpan<byte> data) => HMACSHA256.HashData(key, data);

    /// <summary>The bytes of <paramref name="prefix"/> (UTF-8) followed by <paramref name="body"/>.</summary>
    public static byte[] Concat(string prefix, ReadOnlySpan<byte> body, string suffix = "")
    {
        var head = Encoding.UTF8.GetBytes(prefix);
        var tail = Encoding.UTF8.GetBytes(suffix);
        var content = new byte[head.Length + body.Length + tail.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        tail.CopyTo(content, head.Length + body.Length);
        return content;
    }

    /// <summary>True when <paramref name="presentedHex"/> is the hex form of <paramref name="expected"/> (any case), compared in constant time.</summary>
    public static bool HexEquals(byte[] expected, string presentedHex)
    {
        var presented = TryFromHex(presentedHex.Trim());
        return presented is not null && CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    /// <summary>True when <paramref name="presentedBase64"/> decodes to <paramref name="expected"/>, compared in constant time.</summary>
    public static bool Base64Equals(byte[] expected, string presentedBase64)
    {
        var buffer = new byte[(presentedBase64.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(presentedBase64.Trim(), buffer, out var written)
            && CryptographicOperations.FixedTimeEquals(buffer.AsSpan(0, written), expected);
    }

    /// <summary>Constant-time equality of two texts (as UTF-8 bytes).</summary>
    public static bool TextEquals(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    /// <summary>True when the Unix-seconds <paramref name="timestamp"/> is within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool WithinTolerance(string timestamp, DateTimeOffset now, TimeSpan tolerance) =>
        long.TryParse(timestamp.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && Math.Abs(now.ToUnixTimeSeconds() - seconds) <= tolerance.TotalSeconds;

    private static byte[]? TryFromHex(string hex)
    {
        if (hex.Length == 0 || hex.Length % 2 != 0)
        {
            return null;
        }

        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
