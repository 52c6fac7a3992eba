using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Model;
using Loopy.Compiler.Projects;
using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Compilation;

/// <summary>One pass over one project: the stages of AUTHORING.md §5, collecting diagnostics.</summary>
internal sealed partial class Compilation
{
    private const string RegistryFile = "registry.yml";
    private readonly ProjectSource _source;
    private readonly List<Diagnostic> _diagnostics = [];
    private bool _registryBroken;

    public Compilation(ProjectSource source) => _source = source;

    public List<Diagnostic> Diagnostics => _diagnostics;

    public bool RegistryPresent { get; private set; }

    /// <summary>False when registry.yml is missing, unparseable or has a malformed section: checks against it are skipped.</summary>
    public bool RegistryUsable => !_registryBroken;

    public bool HasLimits { get; private set; }

    public Dictionary<string, SandboxDef> Sandboxes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, AgentDef> Agents { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, EventDef> Events { get; } = new(StringComparer.Ordinal);

    public double? CascadeSpend { get; private set; }

    public List<(string Workflow, double Usd, int Line)> WorkflowLimits { get; } = [];

    /// <summary>Workflows in sorted order, each with its steps in sorted file order.</summary>
    public SortedDictionary<string, List<StepDef>> Workflows { get; } = new(StringComparer.Ordinal);

    public List<SensorDef> Sensors { get; } = [];

    public void Run()
    {
        DiscoverAndParseRegistry();
        ParseWorkflows();
        ParseSensors();
        CheckBuiltins();
        CheckTemplateReferences();
        CrossCheck();
        CheckLineage();
        _diagnostics.Sort();
    }

    /// <summary>Reads and decodes a project file; an unreadable or non-UTF-8 file is a finding, not an exception.</summary>
    private bool TryRead(string file, out string text, out string problem)
    {
        byte[] bytes;
        try
        {
            bytes = _source.Read(file);
        }
        catch (IOException ex)
        {
            (text, problem) = (string.Empty, "not readable: " + ex.Message);
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            (text, problem) = (string.Empty, "not readable: " + ex.Message);
            return false;
        }

        problem = "not valid UTF-8";
        return SourceText.TryDecode(bytes, out text);
    }

    private void Report(CatalogEntry entry, string? file, int line, string message, string? hint = null) =>
        _diagnostics.Add(entry.At(file, line, message, hint));

    private void UnknownKey(string? file, int line, string key, string where) =>
        Report(DiagnosticCatalog.W901, file, line, $"unknown key '{key}' in {where}; it is ignored");

    private static string? KeyName(YEntry entry) => entry.Name;

    /// <summary>A string or a list of strings; null when the shape is wrong.</summary>
    private static List<(string Value, int Line)>? StringOrList(YNode? node)
    {
        switch (node)
        {
            case YScalar { Value: string s } scalar:
                return [(s, scalar.Line)];
            case YSequence sequence:
                {
                    var result = new List<(string, int)>();
                    foreach (var item in sequence.Items)
                    {
                        if (item is not YScalar { Value: string text })
                        {
                            return null;
                        }

                        result.Add((text, item.Line));
                    }

                    return result;
                }

            default:
                return null;
        }
    }
}
