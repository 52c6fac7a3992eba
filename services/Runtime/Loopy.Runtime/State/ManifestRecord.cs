namespace Loopy.Runtime.State;

/// <summary>A manifest version runs are pinned to, stored by content hash so any replica can load it.</summary>
public sealed class ManifestRecord
{
    public required string Hash { get; set; }

    public required string Json { get; set; }

    public long StoredAt { get; set; }
}
