namespace Loopy.Standalone;

/// <summary>What the standalone composition needs: the compiled project, where to listen, and this run's credentials.</summary>
public sealed record StandaloneSettings(string ProjectPath, string ManifestPath, Uri Url, string DeveloperToken, string SensorHostSecret)
{
    /// <summary>Where the SQLite state and other local data live: the project's <c>.loopy/</c>.</summary>
    public string DataDirectory => Path.Combine(ProjectPath, ".loopy");
}
