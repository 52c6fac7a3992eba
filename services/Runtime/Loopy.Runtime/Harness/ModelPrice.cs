namespace Loopy.Runtime.Harness;

/// <summary>A model's list price in USD per million tokens (<c>Loopy:Runtime:Prices:&lt;model prefix&gt;</c>).</summary>
public sealed class ModelPrice
{
    public double InputPerMillion { get; set; }

    public double OutputPerMillion { get; set; }

    /// <summary>Writing the prompt cache; 1.25 × input when not set.</summary>
    public double? CacheWritePerMillion { get; set; }

    /// <summary>Reading the prompt cache; 0.1 × input when not set.</summary>
    public double? CacheReadPerMillion { get; set; }

    /// <summary>The cost of one call's usage.</summary>
    public double Cost(long input, long output, long cacheWrite = 0, long cacheRead = 0) =>
        ((input * InputPerMillion) + (output * OutputPerMillion)
         + (cacheWrite * (CacheWritePerMillion ?? InputPerMillion * 1.25))
         + (cacheRead * (CacheReadPerMillion ?? InputPerMillion * 0.1))) / 1_000_000;
}
