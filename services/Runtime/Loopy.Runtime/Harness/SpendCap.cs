using System.Globalization;

namespace Loopy.Runtime.Harness;

/// <summary>A step's spend cap (AUTHORING.md §8.6): the cap over all attempts and what earlier attempts spent.</summary>
/// <param name="CapUsd">The cap.</param>
/// <param name="SpentUsd">Spent by earlier attempts of the step.</param>
/// <param name="Source">What the cap is (<c>budget.spend</c>) for messages.</param>
public sealed record SpendCap(double CapUsd, double SpentUsd, string Source = "budget.spend")
{
    /// <summary>What this attempt may still spend.</summary>
    public double RemainingUsd => Math.Max(0, CapUsd - SpentUsd);

    /// <summary>The terminal failure of an attempt whose running cost reached the cap.</summary>
    public AttemptFailedException Exceeded(double attemptUsd, string how) =>
        new($"budget exceeded: spent ${Usd(SpentUsd + attemptUsd)} of the ${Usd(CapUsd)} {Source} cap ({how})", terminal: true) { CostUsd = attemptUsd };

    public static string Usd(double amount) => amount.ToString("0.######", CultureInfo.InvariantCulture);
}
