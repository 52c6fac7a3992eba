using System.Security.Cryptography;
using System.Text;

namespace Loopy.Manifests;

/// <summary>One manifest version as text, with the SHA-256 of its UTF-8 bytes (<c>sha256:&lt;hex&gt;</c>).</summary>
public sealed record ManifestSnapshot(string Json, string Hash)
{
    public static ManifestSnapshot Of(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new ManifestSnapshot(json, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))));
    }
}
