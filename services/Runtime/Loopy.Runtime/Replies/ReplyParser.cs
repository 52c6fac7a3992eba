using System.Text.Json;
using System.Text.RegularExpressions;

namespace Loopy.Runtime.Replies;

/// <summary>
/// Finds the JSON object in an agent's reply (AUTHORING.md §9.2): the whole text, else a fenced
/// block, else the last brace-balanced, string-aware <c>{…}</c> span.
/// </summary>
public static partial class ReplyParser
{
    public static bool TryParse(string reply, out JsonElement result)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (TryObject(reply.Trim(), out result))
        {
            return true;
        }

        foreach (Match match in FencePattern().Matches(reply))
        {
            if (TryObject(match.Groups[1].Value, out result))
            {
                return true;
            }
        }

        var span = LastBalancedObject(reply);
        if (span is not null && TryObject(span, out result))
        {
            return true;
        }

        result = default;
        return false;
    }

    private static bool TryObject(string text, out JsonElement result)
    {
        result = default;
        if (text.Length == 0)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            result = document.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The last top-level <c>{…}</c> span whose braces balance outside JSON strings.</summary>
    private static string? LastBalancedObject(string text)
    {
        string? last = null;
        var depth = 0;
        var start = -1;
        var inString = false;
        var escaped = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"' when depth > 0:
                    inString = true;
                    break;
                case '{':
                    if (depth++ == 0)
                    {
                        start = i;
                    }

                    break;
                case '}' when depth > 0:
                    if (--depth == 0)
                    {
                        last = text[start..(i + 1)];
                    }

                    break;
            }
        }

        return last;
    }

    [GeneratedRegex(@"^```(?:json)?\s*(.*?)\s*```$", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex FencePattern();
}
