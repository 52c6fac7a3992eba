namespace Loopy.SensorHost.Configuration;

/// <summary>
/// Reads an env file by the rules of AUTHORING.md §1: per line, trim; skip blanks, <c>#</c> comments and lines
/// without <c>=</c>; split at the first <c>=</c>; trim both sides; drop one pair of surrounding quotes.
/// </summary>
public static class EnvFile
{
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }

            var key = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && ((value[0] == '"' && value[^1] == '"') || (value[0] == '\'' && value[^1] == '\'')))
            {
                value = value[1..^1];
            }

            if (key.Length > 0)
            {
                values[key] = value;
            }
        }

        return values;
    }

    /// <summary>Reads the file at <paramref name="path"/>, or nothing when it does not exist.</summary>
    public static IReadOnlyDictionary<string, string> ReadIfExists(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path)) : new Dictionary<string, string>();
}
