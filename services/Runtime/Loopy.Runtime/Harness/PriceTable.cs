using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Harness;

/// <summary>
/// Model prices by name prefix (the longest matching prefix wins): list prices of the Anthropic and OpenAI models
/// as defaults, overridden or extended by <c>Loopy:Runtime:Prices</c>. A model with an <c>anthropic/</c> or
/// <c>openai/</c> prefix (opencode) is looked up without it.
/// </summary>
public sealed class PriceTable(IOptions<RuntimeOptions> options)
{
    public static IReadOnlyDictionary<string, ModelPrice> Defaults { get; } = new Dictionary<string, ModelPrice>(StringComparer.Ordinal)
    {
        ["claude-opus-4-5"] = Price(5, 25),
        ["claude-opus-4-6"] = Price(5, 25),
        ["claude-opus"] = Price(15, 75),
        ["claude-3-opus"] = Price(15, 75),
        ["claude-sonnet"] = Price(3, 15),
        ["claude-3-5-sonnet"] = Price(3, 15),
        ["claude-3-7-sonnet"] = Price(3, 15),
        ["claude-haiku-4"] = Price(1, 5),
        ["claude-haiku"] = Price(0.8, 4),
        ["claude-3-5-haiku"] = Price(0.8, 4),
        ["gpt-5"] = Price(1.25, 10, cacheRead: 0.125),
        ["gpt-5-mini"] = Price(0.25, 2, cacheRead: 0.025),
        ["gpt-5-nano"] = Price(0.05, 0.4, cacheRead: 0.005),
        ["gpt-5-codex"] = Price(1.25, 10, cacheRead: 0.125),
        ["gpt-4.1"] = Price(2, 8, cacheRead: 0.5),
        ["gpt-4.1-mini"] = Price(0.4, 1.6, cacheRead: 0.1),
        ["gpt-4o"] = Price(2.5, 10, cacheRead: 1.25),
        ["codex-mini"] = Price(1.5, 6, cacheRead: 0.375),
    };

    /// <summary>The price of <paramref name="model"/>, or null when no prefix matches.</summary>
    public ModelPrice? Find(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var name = model.Contains('/', StringComparison.Ordinal) ? model[(model.IndexOf('/', StringComparison.Ordinal) + 1)..] : model;
        ModelPrice? best = null;
        var bestLength = -1;
        foreach (var table in new[] { Defaults, options.Value.Prices })
        {
            foreach (var (prefix, price) in table)
            {
                // Configured entries come second, so at equal length they replace a default.
                if (name.StartsWith(prefix, StringComparison.Ordinal) && prefix.Length >= bestLength)
                {
                    best = price;
                    bestLength = prefix.Length;
                }
            }
        }

        return best;
    }

    private static ModelPrice Price(double input, double output, double? cacheRead = null) =>
        new() { InputPerMillion = input, OutputPerMillion = output, CacheReadPerMillion = cacheRead };
}
