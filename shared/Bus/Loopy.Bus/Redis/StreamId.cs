using System.Globalization;

namespace Loopy.Bus.Redis;

/// <summary>A Redis stream entry id (<c>milliseconds-sequence</c>), comparable.</summary>
internal readonly record struct StreamId(long Milliseconds, long Sequence) : IComparable<StreamId>
{
    public bool IsZero => Milliseconds == 0 && Sequence == 0;

    public static StreamId Parse(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return default;
        }

        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? new StreamId(long.Parse(id, CultureInfo.InvariantCulture), 0)
            : new StreamId(long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture));
    }

    public static StreamId Min(StreamId left, StreamId right) => left.CompareTo(right) <= 0 ? left : right;

    public int CompareTo(StreamId other)
    {
        var byTime = Milliseconds.CompareTo(other.Milliseconds);
        return byTime != 0 ? byTime : Sequence.CompareTo(other.Sequence);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
