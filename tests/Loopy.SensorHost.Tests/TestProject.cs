namespace Loopy.SensorHost.Tests;

/// <summary>A temporary project root: <c>manifest.json</c>, sensor scripts and env files; deleted at the end.</summary>
public sealed class TestProject : IDisposable
{
    public TestProject(string manifest)
    {
        Root = Directory.CreateTempSubdirectory("loopy-sensors-").FullName;
        File.WriteAllText(Path.Combine(Root, "manifest.json"), manifest);
    }

    public string Root { get; }

    /// <summary>Writes a file under the root (an <c>sh</c> script, <c>sensors/.env</c>, …).</summary>
    public string Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.Replace("\r\n", "\n", StringComparison.Ordinal));
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold its file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
