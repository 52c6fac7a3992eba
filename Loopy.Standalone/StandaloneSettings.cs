using System.Security.Cryptography;

namespace Loopy.Standalone;

/// <summary>What the standalone composition needs: the compiled project, where to listen, and this run's credentials.</summary>
public sealed record StandaloneSettings(string ProjectPath, string ManifestPath, Uri Url, string DeveloperToken, string SensorHostSecret)
{
    /// <summary>The standalone default address: what <c>loopy run</c> and the AppHost listen on, and <c>loopy runs</c> asks.</summary>
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:5080");

    /// <summary>Where the SQLite state and other local data live: by default the project's <c>.loopy/</c>.</summary>
    public string DataDirectory { get; init; } = Path.Combine(ProjectPath, ".loopy");

    /// <summary>Whether steps cloning from github.com get a GitHub App installation token (<c>loopy trigger --no-tokens</c>: false).</summary>
    public bool GitHubAppTokens { get; init; } = true;

    /// <summary>Settings with fresh credentials for this run: a <c>dev-</c> producer token to post by hand, and the SensorHost's secret.</summary>
    public static StandaloneSettings Create(string projectPath, string manifestPath, Uri url) =>
        new(projectPath, manifestPath, url,
            "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
}
