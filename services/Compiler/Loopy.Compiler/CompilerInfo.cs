namespace Loopy.Compiler;

/// <summary>Identifies the compiler in generated manifests.</summary>
public static class CompilerInfo
{
    public const string SchemaVersion = "2";
}
