using Microsoft.Extensions.Hosting;

namespace Loopy.Standalone;

/// <summary>
/// Serves <see cref="StandaloneApplication"/> on a compiled project until <c>shutdown</c> fires, printing where it
/// listens and how to use it. <c>loopy run</c> and the AppHost's standalone mode both run it.
/// </summary>
public static class StandaloneServer
{
    public static async Task RunAsync(StandaloneSettings settings, Action<string> line, CancellationToken shutdown)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(line);
        await using var app = StandaloneApplication.Build(settings);
        try
        {
            await app.StartAsync(shutdown);
            foreach (var text in Banner(settings))
            {
                line(text);
            }

            await app.WaitForShutdownAsync(shutdown);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Ctrl-C while starting: nothing more to do.
        }

        line("stopped");
    }

    /// <summary>The lines printed once the composition is serving.</summary>
    public static IEnumerable<string> Banner(StandaloneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        yield return string.Empty;
        yield return $"  Loopy (standalone)  {settings.Url}  — Receiver, Runtime and SensorHost in this process";
        yield return $"  state               {Path.Combine(settings.DataDirectory, "state.db")} (SQLite), in-process bus";
        yield return $"  project             {settings.ProjectPath}";
        foreach (var text in PostExample(settings.DeveloperToken, settings.Url))
        {
            yield return text;
        }

        yield return $"  runs                {new Uri(settings.Url, "/runs")}  (loopy runs --url {settings.Url})";
        yield return string.Empty;
        yield return "  Loopy is running. Ctrl-C stops it.";
    }

    /// <summary>The lines that show how to post an event by hand with this run's developer token.</summary>
    public static IEnumerable<string> PostExample(string token, Uri receiver)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        yield return $"  post an event  curl -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\";
        yield return $"                   -d '{{\"name\": \"<Event>\", \"fields\": {{...}}}}' {new Uri(receiver, "/events")}";
        yield return $"             or  loopy trigger --url {receiver} --token {token} --event <Event> --fields '{{...}}'";
    }
}
