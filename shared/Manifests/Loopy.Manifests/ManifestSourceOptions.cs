namespace Loopy.Manifests;

/// <summary>
/// <c>Loopy:Manifest</c>: where Receivers and Runtimes read the manifest. <c>Source</c> is <c>file</c> (default: the
/// service's <c>ManifestPath</c>) or <c>postgres</c> (the version the Compiler service activated, read with
/// <c>ConnectionStrings:postgres</c>).
/// </summary>
public sealed class ManifestSourceOptions
{
    public const string SectionName = "Loopy:Manifest";
    public const string File = "file";
    public const string Postgres = "postgres";

    public string Source { get; set; } = File;

    /// <summary>How often a service asks the source whether the version changed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The source these options name; <paramref name="filePath"/> for <c>file</c>.</summary>
    public IManifestSource CreateSource(string filePath, string? postgresConnectionString)
    {
        if (string.Equals(Source, Postgres, StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(postgresConnectionString))
            {
                throw new InvalidOperationException($"{SectionName}:Source is 'postgres' but ConnectionStrings:postgres is not set");
            }

            return new PostgresManifestSource(new ManifestVersionStore(postgresConnectionString));
        }

        if (!string.Equals(Source, File, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{SectionName}:Source '{Source}' is not one of 'file', 'postgres'");
        }

        return new FileManifestSource(filePath);
    }
}
