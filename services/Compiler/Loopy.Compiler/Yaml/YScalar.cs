using System.Globalization;
using System.Text.RegularExpressions;

namespace Loopy.Compiler.Yaml;

/// <summary>A scalar, resolved with the YAML 1.2 core schema: only true/false are booleans; on/yes/no are strings.</summary>
internal sealed partial class YScalar : YNode
{
    public YScalar(int line, string text, bool plain, string? tag)
        : base(line)
    {
        Text = text;
        Value = Resolve(text, plain, tag);
    }

    /// <summary>The scalar text as written (quotes removed).</summary>
    public string Text { get; }

    /// <summary>null, bool, long, double or string.</summary>
    public object? Value { get; }

    public bool IsNull => Value is null;

    public string? AsString => Value as string;

    private static object? Resolve(string text, bool plain, string? tag)
    {
        if (tag is "tag:yaml.org,2002:str" or "!!str")
        {
            return text;
        }

        if (!plain && tag is null or "!")
        {
            return text;
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return double.PositiveInfinity;
            case "-.inf" or "-.Inf" or "-.INF":
                return double.NegativeInfinity;
            case ".nan" or ".NaN" or ".NAN":
                return double.NaN;
        }

        if (IntRegex().IsMatch(text))
        {
            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                ? (object)l
                : double.Parse(text, CultureInfo.InvariantCulture);
        }

        if (text.StartsWith("0o", StringComparison.Ordinal) && OctRegex().IsMatch(text))
        {
            try
            {
                return Convert.ToInt64(text[2..], 8);
            }
            catch (OverflowException)
            {
                return text;
            }
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && HexRegex().IsMatch(text))
        {
            return long.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) ? h : text;
        }

        if (FloatRegex().IsMatch(text))
        {
            return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return text;
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntRegex();

    [GeneratedRegex("^0o[0-7]+$")]
    private static partial Regex OctRegex();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexRegex();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatRegex();
}
