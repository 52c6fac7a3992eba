namespace Loopy.Contracts;

/// <summary>The manifest schema version this contracts assembly reads and writes.</summary>
public static class ContractsInfo
{
    public const string ManifestSchemaVersion = "2";
}
