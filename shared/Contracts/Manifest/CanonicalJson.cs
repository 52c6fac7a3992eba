using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Loopy.Contracts.Manifest;

/// <summary>
/// Writes JSON the way AUTHORING.md §7 fixes it: keys sorted by code point at every level, 2-space indent,
/// <c>": "</c> separators, empty containers inline, non-ASCII as lowercase <c>\uXXXX</c>, <c>/</c> unescaped,
/// floats in shortest round-trip form (<c>50.0</c>, <c>1e-05</c>, <c>1e+16</c>), <c>\n</c> endings and a final newline.
/// </summary>
public static class CanonicalJson
{
    /// <summary>Serializes <paramref name="node"/> to canonical text (with the final newline).</summary>
    public static string Serialize(JsonNode? node)
    {
        var builder = new StringBuilder(4096);
        Write(builder, node, 0);
        builder.Append('\n');
        return builder.ToString();
    }

    /// <summary>Canonical UTF-8 bytes of <paramref name="node"/>.</summary>
    public static byte[] SerializeToUtf8Bytes(JsonNode? node) => Encoding.UTF8.GetBytes(Serialize(node));

    /// <summary>Formats a double as Python's <c>repr</c> does; NaN and infinities are refused.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "NaN and infinities have no JSON form.");
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // Shortest round-trip digits: "R" gives them, possibly in exponent form.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative)
        {
            shortest = shortest[1..];
        }

        string mantissa;
        var exponent = 0;
        var e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = shortest[..e];
            exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            mantissa = shortest;
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var digits = (intPart + fracPart).TrimStart('0');
        // decimal exponent of the first significant digit
        var leadingZerosInFrac = 0;
        int pointPos;
        if (intPart.TrimStart('0').Length > 0)
        {
            pointPos = intPart.TrimStart('0').Length + exponent;
        }
        else
        {
            while (leadingZerosInFrac < fracPart.Length && fracPart[leadingZerosInFrac] == '0')
            {
                leadingZerosInFrac++;
            }

            pointPos = -leadingZerosInFrac + exponent;
        }

        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // value = 0.digits * 10^pointPos ; Python repr uses scientific when exp10 < -4 or exp10 >= 16, exp10 = pointPos - 1.
        var exp10 = pointPos - 1;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (exp10 < -4 || exp10 >= 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(exp10 < 0 ? '-' : '+');
            sb.Append(Math.Abs(exp10).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointPos <= 0)
        {
            sb.Append("0.").Append('0', -pointPos).Append(digits);
        }
        else if (pointPos >= digits.Length)
        {
            sb.Append(digits).Append('0', pointPos - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
        }

        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node, int indent)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                WriteObject(sb, obj, indent);
                break;
            case JsonArray array:
                WriteArray(sb, array, indent);
                break;
            case JsonValue value:
                WriteValue(sb, value);
                break;
            default:
                throw new InvalidOperationException($"Unexpected JSON node {node.GetType().Name}.");
        }
    }

    private static void WriteObject(StringBuilder sb, JsonObject obj, int indent)
    {
        if (obj.Count == 0)
        {
            sb.Append("{}");
            return;
        }

        var keys = new List<string>(obj.Count);
        foreach (var pair in obj)
        {
            keys.Add(pair.Key);
        }

        keys.Sort(CompareCodePoints);
        sb.Append("{\n");
        for (var i = 0; i < keys.Count; i++)
        {
            sb.Append(' ', (indent + 1) * 2);
            WriteString(sb, keys[i]);
            sb.Append(": ");
            Write(sb, obj[keys[i]], indent + 1);
            if (i < keys.Count - 1)
            {
                sb.Append(',');
            }

            sb.Append('\n');
        }

        sb.Append(' ', indent * 2).Append('}');
    }

    private static void WriteArray(StringBuilder sb, JsonArray array, int indent)
    {
        if (array.Count == 0)
        {
            sb.Append("[]");
            return;
        }

        sb.Append("[\n");
        for (var i = 0; i < array.Count; i++)
        {
            sb.Append(' ', (indent + 1) * 2);
            Write(sb, array[i], indent + 1);
            if (i < array.Count - 1)
            {
                sb.Append(',');
            }

            sb.Append('\n');
        }

        sb.Append(' ', indent * 2).Append(']');
    }

    private static void WriteValue(StringBuilder sb, JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                WriteString(sb, value.GetValue<string>());
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            case JsonValueKind.Number:
                WriteNumber(sb, value);
                break;
            default:
                throw new InvalidOperationException($"Unexpected JSON value kind {value.GetValueKind()}.");
        }
    }

    private static void WriteNumber(StringBuilder sb, JsonValue value)
    {
        if (value.TryGetValue<long>(out var l))
        {
            sb.Append(l.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue<int>(out var i))
        {
            sb.Append(i.ToString(CultureInfo.InvariantCulture));
        }
        else if (value.TryGetValue<double>(out var d))
        {
            sb.Append(FormatDouble(d));
        }
        else if (value.TryGetValue<decimal>(out var m))
        {
            sb.Append(FormatDouble((double)m));
        }
        else if (value.TryGetValue<JsonElement>(out var element))
        {
            var raw = element.GetRawText();
            if (raw.IndexOfAny(['.', 'e', 'E']) < 0 && long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                sb.Append(parsed.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(FormatDouble(element.GetDouble()));
            }
        }
        else
        {
            throw new InvalidOperationException("Unsupported numeric JSON value.");
        }
    }

    /// <summary>Ordinal comparison by Unicode code point (UTF-16 ordinal differs for surrogates).</summary>
    public static int CompareCodePoints(string? a, string? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null)
        {
            return -1;
        }

        if (b is null)
        {
            return 1;
        }

        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            var ha = ea.MoveNext();
            var hb = eb.MoveNext();
            if (!ha || !hb)
            {
                return ha == hb ? 0 : (ha ? 1 : -1);
            }

            var c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                default:
                    if (c < 0x20 || c > 0x7f)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
