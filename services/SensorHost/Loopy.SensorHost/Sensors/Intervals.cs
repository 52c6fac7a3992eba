using System.Globalization;

namespace Loopy.SensorHost.Sensors;

/// <summary>The interval syntax of sensors (<c>^\d+[smhd]$</c>, AUTHORING.md §4.1).</summary>
public static class Intervals
{
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            throw new FormatException($"'{text}' is not an interval like 30s, 5m, 1h or 1d");
        }

        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(count),
            'm' => TimeSpan.FromMinutes(count),
            'h' => TimeSpan.FromHours(count),
            'd' => TimeSpan.FromDays(count),
            _ => throw new FormatException($"'{text}' is not an interval like 30s, 5m, 1h or 1d"),
        };
    }
}
