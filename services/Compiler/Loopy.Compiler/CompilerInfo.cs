namespace Loopy.Compiler;

/// <summary>Identifies the compiler in generated manifests.</summary>
public static class CompilerInfo
{
    public const string SchemaVersion = "2";

    /// <summary>Written as <c>loopy_version</c>; not part of the content hash.</summary>
    public const string Version = "0.1.0";
}
