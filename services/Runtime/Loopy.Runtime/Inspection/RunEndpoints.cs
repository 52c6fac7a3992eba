using System.Text.Json.Nodes;
using Loopy.Runtime.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.Inspection;

/// <summary>The inspection API: list runs, one run with its steps, its history; rerun and cancel.</summary>
public static class RunEndpoints
{
    private const int MaxListed = 500;

    public static async Task<Ok<JsonArray>> ListAsync(RuntimeStore store, string? workflow, string? status, int? limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Runs.AsNoTracking();
        if (!string.IsNullOrEmpty(workflow))
        {
            query = query.Where(r => r.Workflow == workflow);
        }

        if (!string.IsNullOrEmpty(status))
        {
            query = query.Where(r => r.Status == status);
        }

        var runs = await query.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id)
            .Take(Math.Clamp(limit ?? 100, 1, MaxListed)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new JsonArray([.. runs.Select(r => (JsonNode?)RunJson(r))]));
    }

    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> GetAsync(RuntimeStore store, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return NotFound(id);
        }

        var steps = await db.Steps.AsNoTracking().Where(s => s.RunId == id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var json = RunJson(run);
        json["event"] = new JsonObject { ["id"] = run.EventId, ["name"] = run.EventName, ["fields"] = JsonNode.Parse(run.EventFields) };
        json["cost_usd"] = steps.Sum(s => s.CostUsd ?? 0);
        json["steps"] = new JsonArray([.. steps.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => (JsonNode?)new JsonObject
        {
            ["name"] = s.Name,
            ["step_id"] = s.StepId,
            ["status"] = s.Status,
            ["attempts"] = s.Attempt,
            ["output"] = s.Output is null ? null : JsonNode.Parse(s.Output),
            ["reply"] = s.Reply,
            ["error"] = s.Error,
            ["cost_usd"] = s.CostUsd,
            ["input_tokens"] = s.InputTokens,
            ["output_tokens"] = s.OutputTokens,
            ["started_at"] = Time(s.StartedAt),
            ["finished_at"] = Time(s.FinishedAt),
            ["lease_owner"] = s.LeaseOwner,
        })]);
        return TypedResults.Ok(json);
    }

    public static async Task<Results<Ok<JsonArray>, ProblemHttpResult>> HistoryAsync(RuntimeStore store, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!await db.Runs.AnyAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false))
        {
            return NotFound(id);
        }

        var entries = await db.History.AsNoTracking().Where(h => h.RunId == id).OrderBy(h => h.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new JsonArray([.. entries.Select(h => (JsonNode?)new JsonObject
        {
            ["seq"] = h.Id,
            ["kind"] = h.Kind,
            ["step_id"] = h.StepId,
            ["payload"] = JsonNode.Parse(h.Payload),
            ["at"] = Time(h.At),
        })]));
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> RerunAsync(RunCommands commands, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return ToResult(await commands.RerunAsync(id, cancellationToken).ConfigureAwait(false), id);
    }

    public static async Task<Results<Accepted, ProblemHttpResult>> CancelAsync(RunCommands commands, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        return ToResult(await commands.CancelAsync(id, cancellationToken).ConfigureAwait(false), id);
    }

    private static Results<Accepted, ProblemHttpResult> ToResult(CommandResult result, string id) => result switch
    {
        { Found: false } => NotFound(id),
        { ConflictReason: { } reason } => TypedResults.Problem(reason, statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            extensions: new Dictionary<string, object?> { ["code"] = "run_state_conflict" }),
        _ => TypedResults.Accepted($"/runs/{Uri.EscapeDataString(id)}"),
    };

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem($"no run '{id}'", statusCode: StatusCodes.Status404NotFound, title: "Not Found",
            extensions: new Dictionary<string, object?> { ["code"] = "run_not_found" });

    private static JsonObject RunJson(RunRecord run) => new()
    {
        ["id"] = run.Id,
        ["workflow"] = run.Workflow,
        ["status"] = run.Status,
        ["event_id"] = run.EventId,
        ["event_name"] = run.EventName,
        ["manifest_hash"] = run.ManifestHash,
        ["cascade_id"] = run.CascadeId,
        ["chain_depth"] = run.ChainDepth,
        ["error"] = run.Error,
        ["failed_step"] = run.FailedStep,
        ["created_at"] = Time(run.CreatedAt),
        ["finished_at"] = Time(run.FinishedAt),
    };

    private static string? Time(long? unixMs) =>
        unixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) : null;
}
