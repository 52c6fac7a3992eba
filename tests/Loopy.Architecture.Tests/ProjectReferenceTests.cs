using System.Xml.Linq;

namespace Loopy.Architecture.Tests;

/// <summary>
/// The dependency rules of STYLE.md, checked by reading every project file in the repository.
/// </summary>
public class ProjectReferenceTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    [Fact]
    public void Every_required_top_level_folder_exists()
    {
        string[] required =
        [
            "Loopy.sln", "Loopy.AppHost", "Loopy.ServiceDefaults", "services/Receiver", "services/Runtime",
            "services/SensorHost", "services/Compiler", "shared/Contracts", "tests", "README.md",
        ];
        var missing = required.Where(p => !File.Exists(Path.Combine(RepoRoot, p)) && !Directory.Exists(Path.Combine(RepoRoot, p)));
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_project_is_in_the_solution()
    {
        var solution = File.ReadAllText(Path.Combine(RepoRoot, "Loopy.sln")).Replace('\\', '/');
        var outside = AllProjects()
            .Select(p => Path.GetRelativePath(RepoRoot, p.Path).Replace('\\', '/'))
            .Where(p => !solution.Contains(p, StringComparison.Ordinal));
        Assert.Empty(outside);
    }

    [Fact]
    public void A_service_library_never_references_another_service_library()
    {
        var violations =
            from project in AllProjects()
            where project.Kind == ProjectKind.ServiceLibrary
            from reference in project.References.Select(Load)
            where reference.Kind == ProjectKind.ServiceLibrary && reference.Service != project.Service
            select $"{project.Name} -> {reference.Name}";
        Assert.Empty(violations);
    }

    [Fact]
    public void A_library_never_references_a_test_host_or_tool_project()
    {
        var violations =
            from project in AllProjects()
            where project.Kind is ProjectKind.Shared or ProjectKind.ServiceLibrary
            from reference in project.References.Select(Load)
            where reference.Kind is ProjectKind.Test or ProjectKind.Host or ProjectKind.Tool
            select $"{project.Name} -> {reference.Name}";
        Assert.Empty(violations);
    }

    [Fact]
    public void A_host_references_no_other_service_library()
    {
        var violations =
            from project in AllProjects()
            where project.Kind == ProjectKind.Host
            from reference in project.References.Select(Load)
            where reference.Kind == ProjectKind.ServiceLibrary && reference.Service != project.Service
            select $"{project.Name} -> {reference.Name}";
        Assert.Empty(violations);
    }

    [Fact]
    public void Only_the_standalone_composition_references_several_services()
    {
        var composers =
            from project in AllProjects()
            where project.Kind is ProjectKind.Shared or ProjectKind.ServiceLibrary or ProjectKind.Host
            let services = project.References.Select(Load).Where(r => r.Kind == ProjectKind.ServiceLibrary).Select(r => r.Service).Distinct().Count()
            where services > 1
            select project.Name;
        Assert.Equal(["Loopy.Standalone"], composers);
    }

    [Fact]
    public void Only_the_AppHost_and_the_loopy_CLI_reference_the_standalone_composition()
    {
        // A deliberate exception for one host: `loopy trigger` and `loopy run` run the standalone topology in
        // process (AUTHORING.md §5), as the AppHost's default mode does, so the CLI reaches the other services
        // through Loopy.Standalone, never directly. No other host and no library may compose services.
        var users =
            from project in AllProjects()
            where project.Kind != ProjectKind.Test && project.References.Select(Load).Any(r => r.Name == "Loopy.Standalone")
            select project.Name;
        Assert.Equal(["Loopy.AppHost", "Loopy.Cli"], users);
    }

    [Fact]
    public void The_rules_see_every_kind_of_project()
    {
        // Guards the classification itself: if it stopped recognising hosts or service libraries,
        // the rules above would pass vacuously.
        var kinds = AllProjects().Select(p => p.Kind).ToHashSet();
        Assert.Contains(ProjectKind.ServiceLibrary, kinds);
        Assert.Contains(ProjectKind.Host, kinds);
        Assert.Contains(ProjectKind.Shared, kinds);
        Assert.Contains(ProjectKind.Test, kinds);
    }

    [Fact]
    public void Contracts_depend_on_nothing_but_the_BCL_and_System_Text_Json()
    {
        var contracts = Load("shared/Contracts/Loopy.Contracts.csproj");
        Assert.Empty(contracts.References);
        Assert.All(contracts.Packages, p => Assert.Equal("System.Text.Json", p));
        Assert.Empty(contracts.Frameworks);
    }

    [Fact]
    public void The_shared_HTTP_helpers_reference_no_project_and_no_package()
    {
        // Loopy.Http exists so that services share HTTP code without putting ASP.NET Core into Loopy.Contracts:
        // it stays a leaf on the ASP.NET Core framework, referencing no service and no other project.
        var http = Load("shared/Http/Loopy.Http/Loopy.Http.csproj");
        Assert.Equal(ProjectKind.Shared, http.Kind);
        Assert.Empty(http.References);
        Assert.Empty(http.Packages);
        Assert.Equal(["Microsoft.AspNetCore.App"], http.Frameworks);
    }

    [Fact]
    public void The_compiler_needs_no_hosting_database_or_network()
    {
        var compiler = Load("services/Compiler/Loopy.Compiler/Loopy.Compiler.csproj");
        Assert.Empty(compiler.Frameworks);
        string[] forbidden = ["Npgsql", "Microsoft.EntityFrameworkCore", "MassTransit", "RabbitMQ", "StackExchange.Redis", "Microsoft.Extensions.Hosting"];
        Assert.DoesNotContain(compiler.Packages, p => forbidden.Any(f => p.StartsWith(f, StringComparison.Ordinal)));
        Assert.All(compiler.References.Select(Load), r => Assert.Equal(ProjectKind.Shared, r.Kind));
    }

    private static ProjectInfo Load(string relativePath)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot, relativePath));
        var document = XDocument.Load(path);
        var directory = Path.GetDirectoryName(path)!;
        var references = document.Descendants("ProjectReference")
            .Select(e => Path.GetRelativePath(RepoRoot, Path.GetFullPath(Path.Combine(directory, e.Attribute("Include")!.Value.Replace('\\', '/')))))
            .ToList();
        var packages = document.Descendants("PackageReference").Select(e => e.Attribute("Include")!.Value).ToList();
        var frameworks = document.Descendants("FrameworkReference").Select(e => e.Attribute("Include")!.Value).ToList();
        var sdk = document.Root!.Attribute("Sdk")?.Value ?? string.Empty;
        return new ProjectInfo(path, Path.GetFileNameWithoutExtension(path), Classify(relativePath, sdk, document), ServiceOf(relativePath), references, packages, frameworks);
    }

    private static ProjectKind Classify(string relativePath, string sdk, XDocument document)
    {
        var p = relativePath.Replace('\\', '/');
        var name = Path.GetFileNameWithoutExtension(p);
        if (p.StartsWith("tests/", StringComparison.Ordinal))
        {
            return ProjectKind.Test;
        }

        if (p.StartsWith("bench/", StringComparison.Ordinal) || p.StartsWith("Loopy.AppHost/", StringComparison.Ordinal))
        {
            return ProjectKind.Tool;
        }

        var isExe = sdk.EndsWith(".Web", StringComparison.Ordinal)
            || document.Descendants("OutputType").Any(e => e.Value.Trim().Equals("Exe", StringComparison.OrdinalIgnoreCase));
        if (isExe || name.EndsWith(".Host", StringComparison.Ordinal))
        {
            return ProjectKind.Host;
        }

        return p.StartsWith("services/", StringComparison.Ordinal) ? ProjectKind.ServiceLibrary : ProjectKind.Shared;
    }

    private static string? ServiceOf(string relativePath)
    {
        var parts = relativePath.Replace('\\', '/').Split('/');
        return parts.Length > 2 && parts[0] == "services" ? parts[1] : null;
    }

    private static IEnumerable<ProjectInfo> AllProjects() =>
        Directory.EnumerateFiles(RepoRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}.loopy{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => Load(Path.GetRelativePath(RepoRoot, p)));

    private static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Loopy.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Loopy.sln not found above the test output folder.");
    }

    private enum ProjectKind
    {
        Shared,
        ServiceLibrary,
        Host,
        Tool,
        Test,
    }

    private sealed record ProjectInfo(
        string Path,
        string Name,
        ProjectKind Kind,
        string? Service,
        IReadOnlyList<string> References,
        IReadOnlyList<string> Packages,
        IReadOnlyList<string> Frameworks);
}
