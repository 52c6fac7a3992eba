namespace Loopy.AppHost;

/// <summary>Serialises the children's output onto the AppHost's console, one prefixed line at a time.</summary>
public sealed class ConsoleSink(TextWriter output)
{
    private static readonly string[] Colors = ["\e[36m", "\e[35m", "\e[33m", "\e[32m", "\e[34m", "\e[96m", "\e[95m", "\e[93m"];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _colors = new(StringComparer.Ordinal);
    private readonly bool _color = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private int _width = 8;

    public void Line(string source, string text)
    {
        lock (_gate)
        {
            _width = Math.Max(_width, source.Length);
            var prefix = $"[{source}]".PadRight(_width + 2);
            if (_color)
            {
                if (!_colors.TryGetValue(source, out var color))
                {
                    color = Colors[_colors.Count % Colors.Length];
                    _colors[source] = color;
                }

                output.WriteLine($"{color}{prefix}\e[0m {text}");
            }
            else
            {
                output.WriteLine($"{prefix} {text}");
            }

            output.Flush();
        }
    }

    public void Error(string source, string text) => Line(source, _color ? $"\e[31m{text}\e[0m" : $"ERROR: {text}");
}
