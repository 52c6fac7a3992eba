namespace Loopy.Compiler.Service;

/// <summary><c>Loopy:Compiler</c>: the project the service watches and how often it looks.</summary>
public sealed class CompilerServiceOptions
{
    public const string SectionName = "Loopy:Compiler";

    /// <summary>The project root (holding <c>registry.yml</c>).</summary>
    public string ProjectDir { get; set; } = string.Empty;

    /// <summary>How often the project's files are checked for a change.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Optional: also write each activated manifest here (atomically), for tools that read the file.</summary>
    public string? ManifestPath { get; set; }
}
