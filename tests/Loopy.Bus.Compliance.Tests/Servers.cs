using System.Diagnostics;
using Loopy.Testing;

namespace Loopy.Bus.Compliance.Tests;

/// <summary>Stops and starts one shared server through <c>$LOOPY_SERVERS_SCRIPT</c> (eng/servers.sh).</summary>
internal static class Servers
{
    public static string Script
    {
        get
        {
            var script = Environment.GetEnvironmentVariable("LOOPY_SERVERS_SCRIPT");
            if (!string.IsNullOrWhiteSpace(script))
            {
                return script;
            }

            const string reason = "LOOPY_SERVERS_SCRIPT is not set: cannot stop and restart the broker.";
            if (TestServers.IsCi)
            {
                throw new InvalidOperationException("CI=true and " + reason);
            }

            Assert.Skip(reason);
            return string.Empty;
        }
    }

    public static Task StopAsync(string script, string name) => RunAsync(script, "stop-one", name);

    /// <summary>Starts the server again; the script waits until it accepts connections.</summary>
    public static Task StartAsync(string script, string name) => RunAsync(script, "start-one", name);

    private static async Task RunAsync(string script, string verb, string name)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(name);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} {verb} {name} exited {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
