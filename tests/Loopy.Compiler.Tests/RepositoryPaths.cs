namespace Loopy.Compiler.Tests;

/// <summary>Locates the repository (the folder holding Loopy.sln) from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    public static string Baselines => Path.Combine(Root, "tests", "Loopy.Compiler.Tests", "Baselines");

    /// <summary>True when <c>LOOPY_UPDATE_BASELINES=1</c>: golden files are rewritten instead of compared.</summary>
    public static bool UpdateBaselines => Environment.GetEnvironmentVariable("LOOPY_UPDATE_BASELINES") == "1";

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Loopy.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Loopy.sln not found above " + AppContext.BaseDirectory);
    }
}
