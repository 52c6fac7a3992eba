using Loopy.Contracts.Manifest;
using Loopy.Runtime.Harness;
using Loopy.Runtime.State;
using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.Engine;

/// <summary>
/// The run-level spend ledgers (AUTHORING.md §2.4, §8.6): what the run's cascade has spent (every step of every run it
/// caused, all attempts), and what this workflow has spent within the cascade. Read when a step starts; no step
/// starts once a ledger reached its cap, and a running step's cap is the smallest remaining amount.
/// </summary>
public sealed record SpendLedgers(double CascadeUsd, double WorkflowUsd)
{
    public static async Task<SpendLedgers> ReadAsync(RuntimeDbContext db, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(run);
        var spent = await db.Steps.AsNoTracking()
            .Join(db.Runs.AsNoTracking().Where(r => r.CascadeId == run.CascadeId), s => s.RunId, r => r.Id, (s, r) => new { r.Workflow, s.CostUsd })
            .Where(x => x.CostUsd != null)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new(spent.Sum(x => x.CostUsd!.Value), spent.Where(x => x.Workflow == run.Workflow).Sum(x => x.CostUsd!.Value));
    }

    /// <summary>The caps the registry's <c>limits</c> put on a step of <paramref name="workflow"/>.</summary>
    public IEnumerable<SpendCap> Caps(ManifestLimits? limits, string workflow)
    {
        if (limits?.CascadeSpend is { } cascade)
        {
            yield return new SpendCap(cascade.Usd, CascadeUsd, "limits.cascade_spend");
        }

        if (limits?.Workflows is { } workflows && workflows.TryGetValue(workflow, out var limit) && limit.Spend is { } spend)
        {
            yield return new SpendCap(spend.Usd, WorkflowUsd, $"limits.workflows.{workflow}.spend");
        }
    }
}
