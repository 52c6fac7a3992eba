using System.Globalization;
using System.Text.Json;

namespace Loopy.SensorHost.Mapping;

/// <summary>
/// The path syntax of declarative sensors (AUTHORING.md §4.2): <c>$</c> is the body, <c>.name</c> a member,
/// <c>[n]</c> an array element (<c>$.items[0].id</c>).
/// </summary>
public static class JsonPath
{
    /// <summary>True when <paramref name="value"/> is a path (starts with <c>$</c> but not <c>$$</c>).</summary>
    public static bool IsPath(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.StartsWith('$') && !value.StartsWith("$$", StringComparison.Ordinal);
    }

    /// <summary>Resolves <paramref name="path"/> in <paramref name="root"/>; false when any step is missing or the path is malformed.</summary>
    public static bool TryResolve(JsonElement? root, string path, out JsonElement value)
    {
        ArgumentNullException.ThrowIfNull(path);
        value = default;
        if (root is not { } current || !path.StartsWith('$'))
        {
            return false;
        }

        var i = 1;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                var name = path[(i + 1)..end];
                if (name.Length == 0 || current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
                {
                    return false;
                }

                i = end;
            }
            else if (path[i] == '[')
            {
                var close = path.IndexOf(']', i);
                if (close < 0 || !int.TryParse(path.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    || current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return false;
                }

                current = current[index];
                i = close + 1;
            }
            else
            {
                return false;
            }
        }

        value = current;
        return true;
    }
}
