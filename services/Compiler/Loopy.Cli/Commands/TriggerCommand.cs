using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loopy.Cli.Output;
using Loopy.Compiler;
using Loopy.Runtime.Cron;
using Loopy.Standalone.Trigger;

namespace Loopy.Cli.Commands;

/// <summary>
/// <c>loopy trigger [PATH] --event NAME [--fields JSON] [--id ID] [--root DIR] [--json] [--timeout S]</c> (or
/// <c>--cron WORKFLOW</c> instead of the event: one tick, <c>scheduled_at</c> = now) runs the cascade in process (<see cref="InProcessTrigger"/>); with <c>--url URL [--token T]</c> it posts the event to a running Receiver
/// instead. Exit 0 every run completed (or the Receiver accepted the event), 1 a failed run, no run, a project that does
/// not compile or an unreachable Receiver, 2 bad input (unknown event, fields against the contract, bad JSON).
/// </summary>
internal static class TriggerCommand
{
    public const string TokenVariable = "LOOPY_PRODUCER_TOKEN";

    public static Command Create(TextWriter stdout, TextWriter stderr, CompileOptions options)
    {
        var path = new Argument<string>("PATH")
        {
            Description = "Project folder (compiled first) or a compiled manifest.json; not read with --url.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => ".",
        };
        var eventName = new Option<string?>("--event") { Description = "The event's name, e.g. Greet." };
        var cron = new Option<string?>("--cron") { Description = "Instead of --event: fire one tick of this cron-triggered workflow (scheduled_at = now)." };
        var root = new Option<string?>("--root") { Description = "The project root commands and env files resolve against (default: the project folder, or the manifest's folder)." };
        var fields = new Option<string>("--fields") { Description = "The event's fields as a JSON object (default {}).", DefaultValueFactory = _ => "{}" };
        var id = new Option<string?>("--id") { Description = "The event's id (default: a UUIDv7 the Receiver assigns)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON record instead of text." };
        var noTokens = new Option<bool>("--no-tokens") { Description = "Mint no GitHub App installation tokens: steps clone github.com repos without them." };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds the whole cascade may take (default 3600).",
            DefaultValueFactory = _ => 3600,
        };
        timeout.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--timeout must be at least 1 second.");
            }
        });
        var url = UrlOption.Create("Post the event to the Receiver at this URL instead of running it here.");
        var token = new Option<string?>("--token") { Description = $"Producer token for --url (default: ${TokenVariable})." };
        var command = new Command("trigger", "Run the workflows an event starts, in process, to completion; or post it to a Receiver (--url).")
        {
            path, eventName, cron, fields, id, root, json, noTokens, timeout, url, token,
        };
        command.Validators.Add(r =>
        {
            var hasEvent = r.GetValue(eventName) is not null;
            var hasCron = r.GetValue(cron) is not null;
            if (hasEvent == hasCron)
            {
                r.AddError("Pass exactly one of --event NAME or --cron WORKFLOW.");
            }
            else if (hasCron && r.GetValue(url) is not null)
            {
                r.AddError("--cron fires a tick in process; it cannot be posted to a Receiver (--url).");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(eventName) ?? CronTick.EventName;
            var fieldsElement = await ParseFieldsAsync(parse.GetValue(fields)!, stderr, ct);
            if (fieldsElement is not { } parsed)
            {
                return LoopyCli.Usage;
            }

            if (parse.GetValue(url) is { } receiver)
            {
                var secret = parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable);
                return await PostAsync(receiver, secret, name, parsed, parse.GetValue(id), parse.GetValue(json), stdout, stderr, ct);
            }

            var request = parse.GetValue(path)!;
            var run = new TriggerRun(request, parse.GetValue(root), name, parse.GetValue(cron), parsed, parse.GetValue(id), parse.GetValue(json),
                !parse.GetValue(noTokens), TimeSpan.FromSeconds(parse.GetValue(timeout)));
            return await RunHereAsync(run, stdout, stderr, options, ct);
        });
        return command;
    }

    private static async Task<JsonElement?> ParseFieldsAsync(string text, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement.Clone();
            }

            await stderr.WriteLineAsync($"loopy trigger: --fields must be a JSON object, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}".AsMemory(), ct);
        }
        catch (JsonException ex)
        {
            await stderr.WriteLineAsync($"loopy trigger: --fields is not valid JSON: {ex.Message}".AsMemory(), ct);
        }

        return null;
    }

    private static async Task<int> RunHereAsync(TriggerRun run, TextWriter stdout, TextWriter stderr, CompileOptions options, CancellationToken ct)
    {
        var (path, root, eventName, cronWorkflow, fields, id, json, appTokens, timeout) = run;
        if (root is not null && !Directory.Exists(root))
        {
            await stderr.WriteLineAsync($"loopy trigger: --root '{root}' is not a folder".AsMemory(), ct);
            return LoopyCli.Usage;
        }

        var (input, exitCode) = await ProjectInput.LoadAsync("trigger", path, stderr, options, ct);
        if (input is null)
        {
            return exitCode;
        }

        var projectRoot = root is null ? input.ProjectRoot : Path.GetFullPath(root);

        TriggerResult result;
        try
        {
            result = await InProcessTrigger.RunAsync(new TriggerRequest(input.ManifestJson, projectRoot, eventName, fields)
            {
                EventId = id,
                CronWorkflow = cronWorkflow,
                GitHubAppTokens = appTokens,
                Timeout = timeout,
            }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("loopy trigger: interrupted; the runs were abandoned".AsMemory(), CancellationToken.None);
            return LoopyCli.Errors;
        }

        if (result.Refusal is { } refusal)
        {
            await WriteRefusalAsync(refusal.Status, refusal.Detail, refusal.Errors.Select(e => (e.Path, e.Message, e.Code)), stderr, ct);
            return refusal.Status == 400 ? LoopyCli.Usage : LoopyCli.Errors;
        }

        await stdout.WriteAsync((json ? TriggerReport.Json(result, eventName, result.EventFields ?? fields) : TriggerReport.Text(result)).AsMemory(), ct);
        var failures = TriggerReport.Failures(result, eventName);
        foreach (var (runId, error) in failures)
        {
            await stderr.WriteLineAsync((runId is null ? $"loopy trigger: {error}" : $"FAILED {runId}: {error}").AsMemory(), ct);
        }

        if (result.TimedOut)
        {
            await stderr.WriteLineAsync($"loopy trigger: the cascade had not finished after {timeout.TotalSeconds:0} s".AsMemory(), ct);
        }

        return failures.Count == 0 && !result.TimedOut ? LoopyCli.Ok : LoopyCli.Errors;
    }

    private static async Task<int> PostAsync(Uri receiver, string? token, string eventName, JsonElement fields, string? id, bool json,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token))
        {
            await stderr.WriteLineAsync($"loopy trigger: --url needs a producer token: --token T or ${TokenVariable}".AsMemory(), ct);
            return LoopyCli.Usage;
        }

        var events = receiver.AbsolutePath.TrimEnd('/').EndsWith("/events", StringComparison.Ordinal) ? receiver : new Uri(receiver, "/events");
        var body = new JsonObject { ["name"] = eventName, ["fields"] = JsonNode.Parse(fields.GetRawText()) };
        if (id is not null)
        {
            body["id"] = id;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var post = new HttpRequestMessage(HttpMethod.Post, events) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(post, ct);
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"loopy trigger: cannot reach {events}: {ex.Message}".AsMemory(), ct);
            return LoopyCli.Errors;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"loopy trigger: {events} did not answer within 30 s".AsMemory(), ct);
            return LoopyCli.Errors;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            JsonNode? answer = null;
            try
            {
                answer = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's error page): reported by status below.
            }

            if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK)
            {
                var eventId = answer?["id"]?.GetValue<string>() ?? "?";
                await stdout.WriteLineAsync((json
                    ? new JsonObject { ["id"] = eventId, ["status"] = (int)response.StatusCode, ["answer"] = answer }.ToJsonString(new JsonSerializerOptions { WriteIndented = true })
                    : response.StatusCode == HttpStatusCode.Accepted ? $"accepted: {eventId}" : $"accepted before: {eventId} (a retry of an accepted id)").AsMemory(), ct);
                return LoopyCli.Ok;
            }

            var detail = answer?["detail"]?.GetValue<string>() ?? (text.Length == 0 ? response.ReasonPhrase ?? "no detail" : text);
            var errors = answer?["errors"] is JsonArray array
                ? array.Select(e => ((string?)e?["path"] ?? string.Empty, (string?)e?["message"] ?? string.Empty, (string?)e?["code"] ?? string.Empty))
                : [];
            await WriteRefusalAsync((int)response.StatusCode, detail, errors, stderr, ct);
            return response.StatusCode == HttpStatusCode.BadRequest ? LoopyCli.Usage : LoopyCli.Errors;
        }
    }

    private static async Task WriteRefusalAsync(int status, string detail, IEnumerable<(string Path, string Message, string Code)> errors, TextWriter stderr, CancellationToken ct)
    {
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"loopy trigger: refused ({status}): {detail}").AsMemory(), ct);
        foreach (var (path, message, code) in errors)
        {
            await stderr.WriteLineAsync($"  {path}: {message} ({code})".AsMemory(), ct);
        }
    }

    /// <summary>What an in-process trigger was asked to do.</summary>
    private sealed record TriggerRun(string Path, string? Root, string EventName, string? CronWorkflow, JsonElement Fields, string? Id, bool Json,
        bool GitHubAppTokens, TimeSpan Timeout);
}
