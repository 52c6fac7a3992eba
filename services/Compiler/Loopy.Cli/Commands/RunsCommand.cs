using System.CommandLine;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Cli.Output;
using Loopy.Standalone;

namespace Loopy.Cli.Commands;

/// <summary>
/// <c>loopy runs [--url URL] [--workflow W] [--status S] [--limit N] [--json]</c> lists recent runs and
/// <c>loopy runs show ID [--url URL] [--json]</c> shows one with its steps and history, both from the Runtime's
/// inspection API (<c>/runs</c>, <c>/runs/{id}</c>, <c>/runs/{id}/history</c>); the default URL is the standalone
/// default. Exit 0, 1 when the API cannot be reached, answers an error, or has no such run.
/// </summary>
internal static class RunsCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var url = Url();
        var workflow = new Option<string?>("--workflow") { Description = "Only runs of this workflow." };
        var status = new Option<string?>("--status") { Description = "Only runs in this state." };
        status.AcceptOnlyFromAmong("running", "completed", "failed", "cancelled");
        var limit = new Option<int>("--limit") { Description = "At most this many runs, newest first (default 20, at most 500).", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 500)
            {
                r.AddError("--limit must be between 1 and 500.");
            }
        });
        var json = JsonOption();
        var runs = new Command("runs", "List recent runs from the Runtime's inspection API.") { url, workflow, status, limit, json };
        runs.SetAction(async (parse, ct) =>
        {
            var query = $"/runs?limit={parse.GetValue(limit)}"
                + (parse.GetValue(workflow) is { } w ? "&workflow=" + Uri.EscapeDataString(w) : string.Empty)
                + (parse.GetValue(status) is { } s ? "&status=" + Uri.EscapeDataString(s) : string.Empty);
            var (list, exitCode) = await GetAsync(parse.GetValue(url)!, query, stderr, ct);
            if (list is null)
            {
                return exitCode;
            }

            await stdout.WriteAsync((parse.GetValue(json) ? list.ToJsonString(Indented) + "\n" : RunsReport.List(list.AsArray())).AsMemory(), ct);
            return LoopyCli.Ok;
        });

        var id = new Argument<string>("ID") { Description = "The run's id, e.g. greet-0193…" };
        var showUrl = Url();
        var showJson = JsonOption();
        var show = new Command("show", "Show one run: its event, steps (state, attempts, output) and history.") { id, showUrl, showJson };
        show.SetAction(async (parse, ct) =>
        {
            var escaped = Uri.EscapeDataString(parse.GetValue(id)!);
            var (run, exitCode) = await GetAsync(parse.GetValue(showUrl)!, $"/runs/{escaped}", stderr, ct);
            if (run is null)
            {
                return exitCode;
            }

            (var history, exitCode) = await GetAsync(parse.GetValue(showUrl)!, $"/runs/{escaped}/history", stderr, ct);
            if (history is null)
            {
                return exitCode;
            }

            var text = parse.GetValue(showJson)
                ? new JsonObject { ["run"] = run, ["history"] = history }.ToJsonString(Indented) + "\n"
                : RunsReport.Show(run.AsObject(), history.AsArray());
            await stdout.WriteAsync(text.AsMemory(), ct);
            return LoopyCli.Ok;
        });
        runs.Subcommands.Add(show);
        return runs;
    }

    private static Option<Uri?> Url() =>
        UrlOption.Create($"The Runtime's (or the standalone process's) URL (default {StandaloneSettings.DefaultUrl}).", StandaloneSettings.DefaultUrl);

    private static Option<bool> JsonOption() => new("--json") { Description = "Print the API's JSON instead of text." };

    private static async Task<(JsonNode? Body, int ExitCode)> GetAsync(Uri baseUrl, string pathAndQuery, TextWriter stderr, CancellationToken ct)
    {
        var target = new Uri(baseUrl, pathAndQuery);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.GetAsync(target, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (JsonNode.Parse(text), LoopyCli.Ok);
            }

            string? detail = null;
            try
            {
                detail = JsonNode.Parse(text)?["detail"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                // Not a ProblemDetails body.
            }

            await stderr.WriteLineAsync($"loopy runs: {target} answered {(int)response.StatusCode}: {detail ?? response.ReasonPhrase}".AsMemory(), ct);
            return (null, LoopyCli.Errors);
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"loopy runs: cannot reach {baseUrl} ({ex.Message}); is 'loopy run' (or a Runtime) serving there? Pass --url.".AsMemory(), ct);
            return (null, LoopyCli.Errors);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"loopy runs: {target} did not answer within 30 s".AsMemory(), ct);
            return (null, LoopyCli.Errors);
        }
        catch (JsonException ex)
        {
            await stderr.WriteLineAsync($"loopy runs: {target} did not answer JSON: {ex.Message}".AsMemory(), ct);
            return (null, LoopyCli.Errors);
        }
    }
}
