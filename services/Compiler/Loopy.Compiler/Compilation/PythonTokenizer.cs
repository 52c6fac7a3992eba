using System.Text;

namespace Loopy.Compiler.Compilation;

/// <summary>
/// A tokenizer-level reading of a Python file (AUTHORING.md §4.4): strings, comments, brackets and logical lines.
/// It reports what Python's own parser would report for unbalanced brackets and unterminated strings.
/// </summary>
internal static class PythonTokenizer
{
    public static List<PythonToken>? Tokenize(string text, out string? error, out int errorLine)
    {
        error = null;
        errorLine = 0;
        var tokens = new List<PythonToken>();
        var brackets = new Stack<(char Open, int Line)>();
        var line = 1;
        var col = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                if (brackets.Count == 0)
                {
                    tokens.Add(new PythonToken('L', "\n", line, col));
                }

                line++;
                col = 0;
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i += 2;
                line++;
                col = 0;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                col++;
                continue;
            }

            var start = i;
            var startCol = col;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                var word = text[start..i];
                if (i < text.Length && (text[i] == '"' || text[i] == '\'') && word.Length <= 2 &&
                    word.All(ch => "rRbBuUfF".Contains(ch, StringComparison.Ordinal)))
                {
                    if (!ReadString(text, ref i, ref line, word, out var literal, out error))
                    {
                        errorLine = line;
                        return null;
                    }

                    tokens.Add(new PythonToken(word.Any(ch => ch is 'f' or 'F' or 'b' or 'B') ? 'F' : 'S', literal, line, startCol));
                    col = startCol + (i - start);
                    continue;
                }

                tokens.Add(new PythonToken('N', word, line, startCol));
                col += i - start;
                continue;
            }

            if (c == '"' || c == '\'')
            {
                var stringLine = line;
                if (!ReadString(text, ref i, ref line, string.Empty, out var literal, out error))
                {
                    errorLine = stringLine;
                    return null;
                }

                tokens.Add(new PythonToken('S', literal, stringLine, startCol));
                col = startCol + (i - start);
                continue;
            }

            if (c is '(' or '[' or '{')
            {
                brackets.Push((c, line));
            }
            else if (c is ')' or ']' or '}')
            {
                if (brackets.Count == 0)
                {
                    error = $"unmatched '{c}'";
                    errorLine = line;
                    return null;
                }

                var (open, _) = brackets.Pop();
                if ((open, c) is not ('(', ')') and not ('[', ']') and not ('{', '}'))
                {
                    error = $"closing parenthesis '{c}' does not match opening parenthesis '{open}'";
                    errorLine = line;
                    return null;
                }
            }

            if (char.IsDigit(c))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '.' || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new PythonToken('X', text[start..i], line, startCol));
                col += i - start;
                continue;
            }

            tokens.Add(new PythonToken('O', c.ToString(), line, startCol));
            i++;
            col++;
        }

        if (brackets.Count > 0)
        {
            var (open, openLine) = brackets.Peek();
            foreach (var b in brackets)
            {
                (open, openLine) = b;
            }

            error = $"'{open}' was never closed";
            errorLine = openLine;
            return null;
        }

        tokens.Add(new PythonToken('L', "\n", line, 0));
        return tokens;
    }

    private static bool ReadString(string text, ref int i, ref int line, string prefix, out string literal, out string? error)
    {
        error = null;
        var raw = prefix.Contains('r', StringComparison.OrdinalIgnoreCase);
        var quote = text[i];
        var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
        var startLine = line;
        var sb = new StringBuilder();
        i += triple ? 3 : 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                if (text[i + 1] == '\n')
                {
                    line++;
                }

                sb.Append(raw ? text.AsSpan(i, 2) : text.AsSpan(i + 1, 1));
                i += 2;
                continue;
            }

            if (c == '\n')
            {
                if (!triple)
                {
                    error = $"unterminated string literal (detected at line {startLine})";
                    return Fail(out literal);
                }

                line++;
            }

            if (c == quote && (!triple || (i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote)))
            {
                i += triple ? 3 : 1;
                literal = sb.ToString();
                return true;
            }

            sb.Append(c);
            i++;
        }

        error = triple ? $"unterminated triple-quoted string literal (detected at line {line})" : $"unterminated string literal (detected at line {startLine})";
        return Fail(out literal);
    }

    private static bool Fail(out string literal)
    {
        literal = string.Empty;
        return false;
    }
}
