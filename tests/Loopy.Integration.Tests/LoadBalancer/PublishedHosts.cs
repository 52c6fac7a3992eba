using System.Diagnostics;
using Loopy.Testing;

namespace Loopy.Integration.Tests.LoadBalancer;

/// <summary>
/// The <c>dotnet publish</c> outputs of the service hosts, made by <c>eng/publish.sh</c> exactly as the images make
/// them (the Dockerfiles' publish lines): <c>&lt;dir&gt;/receiver/Loopy.Receiver.Host.dll</c> and so on. The test
/// command publishes them once and passes the folder as <c>LOOPY_TEST_PUBLISHED</c>; without it they are published
/// here, once per test process, into <c>.loopy/publish</c>.
/// </summary>
public static class PublishedHosts
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _directory;

    public static async Task<string> DirectoryAsync(CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            return _directory ??= await LocateAsync(cancellationToken);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The entry assembly of one published host, e.g. <c>("runtime", "Loopy.Runtime.Host.dll")</c>.</summary>
    public static async Task<string> AssemblyAsync(string image, string assembly, CancellationToken cancellationToken)
    {
        var path = Path.Combine(await DirectoryAsync(cancellationToken), image, assembly);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not in the published outputs (eng/publish.sh)");
    }

    private static async Task<string> LocateAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("LOOPY_TEST_PUBLISHED") is { Length: > 0 } given)
        {
            return given;
        }

        var directory = Path.Combine(RepositoryRoot.Path, ".loopy", "publish");
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(RepositoryRoot.Path, "eng", "publish.sh"), directory },
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var publish = Process.Start(start)!;
        var output = publish.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = publish.StandardError.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken);
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/publish.sh failed ({publish.ExitCode}):\n{await output}\n{await errors}");
        }

        return directory;
    }
}
