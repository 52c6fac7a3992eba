using System.Globalization;
using System.Text;

namespace Loopy.Compiler.Compilation;

/// <summary>Lists inside messages are written Python-style: <c>['a', 'b']</c>.</summary>
internal static class PyFormat
{
    public static string List(IEnumerable<string> items)
    {
        var sb = new StringBuilder("[");
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            sb.Append('\'').Append(item).Append('\'');
        }

        return sb.Append(']').ToString();
    }

    public static string SortedList(IEnumerable<string> items) => List(items.Order(StringComparer.Ordinal));

    /// <summary>A scalar as authored, for messages.</summary>
    public static string Scalar(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
