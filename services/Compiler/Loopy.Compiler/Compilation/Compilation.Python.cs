using Loopy.Compiler.Diagnostics;
using Loopy.Compiler.Model;

namespace Loopy.Compiler.Compilation;

/// <summary>Stage 4, Python <c>@sensor</c> files: found by tokens, never executed or fully parsed.</summary>
internal sealed partial class Compilation
{
    private void ParsePythonSensors(string file)
    {
        if (!TryRead(file, out var text, out var problem))
        {
            Report(DiagnosticCatalog.E402, file, 1, $"{file}: not statically analyzable ({problem})");
            return;
        }

        var tokens = PythonTokenizer.Tokenize(text, out var error, out var errorLine);
        if (tokens is null)
        {
            Report(DiagnosticCatalog.E402, file, errorLine, $"{file}: not statically analyzable ({error})");
            return;
        }

        var lines = SplitLogicalLines(tokens);
        foreach (var logical in lines)
        {
            var defAt = logical[0].Text == "async" && logical.Count > 1 ? 1 : 0;
            if (logical[defAt] is { Kind: 'N', Text: "def" } &&
                (logical.Count < defAt + 3 || logical[defAt + 2].Text != "(" || logical[defAt + 3].Text is ":" or ","))
            {
                Report(DiagnosticCatalog.E402, file, logical[0].Line, $"{file}: not statically analyzable (invalid syntax in a def line)");
                return;
            }
        }

        var module = file[..^3].Replace('/', '.');
        for (var index = 0; index < lines.Count; index++)
        {
            var logical = lines[index];
            if (logical[0] is not { Kind: 'O', Text: "@", Column: 0 })
            {
                continue;
            }

            // dotted name
            var pos = 1;
            var lastName = string.Empty;
            while (pos < logical.Count && logical[pos].Kind == 'N')
            {
                lastName = logical[pos].Text;
                pos++;
                if (pos < logical.Count && logical[pos].Text == ".")
                {
                    pos++;
                }
                else
                {
                    break;
                }
            }

            if (lastName != "sensor")
            {
                continue;
            }

            var decoratorLine = logical[0].Line;
            var arguments = ReadCallArguments(logical, pos);
            var fn = FindDecoratedFunction(lines, index + 1);
            if (arguments is null || fn is null)
            {
                Report(DiagnosticCatalog.E402, file, decoratorLine, $"{file}: not statically analyzable (unreadable @sensor decorator)");
                continue;
            }

            var sensor = new SensorDef(fn, file, decoratorLine, "module") { Module = module, Fn = fn };
            var readable = true;
            foreach (var (key, value) in arguments)
            {
                switch (key)
                {
                    case "emits":
                        sensor.Emits = value;
                        break;
                    case "webhook" when value is not null:
                        sensor.Webhook = value;
                        break;
                    case "poll" when value is not null:
                        sensor.Poll = value;
                        break;
                    case "webhook" or "poll":
                        readable = false;
                        break;
                }
            }

            if (!readable)
            {
                Report(DiagnosticCatalog.E402, file, decoratorLine, $"{file}: not statically analyzable (webhook= and poll= must be string literals)");
                continue;
            }

            if (sensor.Emits is null)
            {
                Report(DiagnosticCatalog.E402, file, decoratorLine, $"sensor '{fn}' must declare emits=\"<Event>\" as a string literal");
                continue;
            }

            if (CheckTriggerShape(sensor, file, decoratorLine))
            {
                Sensors.Add(sensor);
            }
        }
    }

    private static List<List<PythonToken>> SplitLogicalLines(List<PythonToken> tokens)
    {
        var result = new List<List<PythonToken>>();
        var current = new List<PythonToken>();
        foreach (var token in tokens)
        {
            if (token.Kind == 'L')
            {
                if (current.Count > 0)
                {
                    result.Add(current);
                    current = [];
                }

                continue;
            }

            current.Add(token);
        }

        return result;
    }

    /// <summary>Keyword arguments of the call starting at <paramref name="pos"/>: name → literal string, or null when not a literal. Null when unreadable.</summary>
    private static List<(string Key, string? Value)>? ReadCallArguments(List<PythonToken> tokens, int pos)
    {
        if (pos >= tokens.Count || tokens[pos].Text != "(" || tokens[^1].Text != ")")
        {
            return null;
        }

        var result = new List<(string, string?)>();
        var depth = 0;
        var argument = new List<PythonToken>();
        for (var i = pos + 1; i < tokens.Count - 1; i++)
        {
            var token = tokens[i];
            if (token.Kind == 'O' && token.Text is "(" or "[" or "{")
            {
                depth++;
            }
            else if (token.Kind == 'O' && token.Text is ")" or "]" or "}")
            {
                depth--;
            }

            if (depth == 0 && token.Text == "," && token.Kind == 'O')
            {
                if (!AddArgument(argument, result))
                {
                    return null;
                }

                argument.Clear();
                continue;
            }

            argument.Add(token);
        }

        return argument.Count == 0 || AddArgument(argument, result) ? result : null;
    }

    private static bool AddArgument(List<PythonToken> argument, List<(string, string?)> result)
    {
        if (argument.Count < 3 || argument[0].Kind != 'N' || argument[1].Text != "=")
        {
            return false;
        }

        var rest = argument.Skip(2).ToList();
        var literal = rest.All(t => t.Kind == 'S') ? string.Concat(rest.Select(t => t.Text)) : null;
        result.Add((argument[0].Text, literal));
        return true;
    }

    private static string? FindDecoratedFunction(List<List<PythonToken>> lines, int index)
    {
        for (; index < lines.Count; index++)
        {
            var logical = lines[index];
            if (logical[0] is { Kind: 'O', Text: "@" })
            {
                continue;
            }

            var at = logical[0].Text == "async" ? 1 : 0;
            if (logical[0].Column == 0 && logical.Count > at + 1 && logical[at].Text == "def" && logical[at + 1].Kind == 'N')
            {
                return logical[at + 1].Text;
            }

            return null;
        }

        return null;
    }
}
