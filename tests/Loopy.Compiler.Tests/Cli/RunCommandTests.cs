using System.Net;
using System.Net.Sockets;
using Loopy.Compiler.Tests.Fixtures;

namespace Loopy.Compiler.Tests.Cli;

/// <summary><c>loopy run</c>'s refusals in process; serving itself is tested with the real process in Loopy.Integration.Tests.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task A_port_in_use_exits_1_before_anything_starts()
    {
        using var temp = new TempDirectory();
        TempDirectory.CopyTree(Path.Combine(RepositoryPaths.Examples, "hello"), temp.Path);
        File.Delete(Path.Combine(temp.Path, "manifest.json")); // the AppHost tests compile examples/hello in place
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var run = await CliRun.RunAsync("run", temp.Path, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"port {port} on 127.0.0.1 is in use", run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "manifest.json")));
    }

    [Fact]
    public async Task A_project_that_does_not_compile_is_not_served()
    {
        using var temp = new TempDirectory();
        TempDirectory.CopyTree(Path.Combine(RepositoryPaths.Examples, "hello"), temp.Path);
        File.WriteAllText(Path.Combine(temp.Path, "workflows", "greet", "compose.md"), "---\non: Greet\nagent: Nobody\n---\nHi.\n");
        using var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var port = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();

        var run = await CliRun.RunAsync("run", temp.Path, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("LOOPY-E501", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Loopy is running", run.Stdout, StringComparison.Ordinal);
    }
}
