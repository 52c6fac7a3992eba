namespace Loopy.SensorHost.Python;

/// <summary>
/// The python3 shim of AUTHORING.md §4.4, shipped inside this assembly: it provides <c>loopy.sensor</c> and
/// <c>loopy.events</c> (from the manifest's contracts) and runs one <c>@sensor</c> function as an exec sensor.
/// </summary>
public static class PythonSensorShim
{
    private static readonly Lazy<string> ScriptPath = new(WriteScript);

    /// <summary>The exec argv that runs <paramref name="module"/>.<paramref name="function"/> through the shim.</summary>
    public static IReadOnlyList<string> Argv(string projectRoot, string manifestPath, string module, string function) =>
        ["python3", ScriptPath.Value, projectRoot, manifestPath, module, function];

    private static string WriteScript()
    {
        using var resource = typeof(PythonSensorShim).Assembly.GetManifestResourceStream("loopy_sensor_shim.py")
            ?? throw new InvalidOperationException("the python sensor shim is missing from the assembly");
        var directory = Directory.CreateTempSubdirectory("loopy-sensorhost-").FullName;
        var path = Path.Combine(directory, "loopy_sensor_shim.py");
        using var file = File.Create(path);
        resource.CopyTo(file);
        return path;
    }
}
