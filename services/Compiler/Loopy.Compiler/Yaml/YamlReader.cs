using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Loopy.Compiler.Yaml;

/// <summary>
/// Parses one YAML document into <see cref="YNode"/>s from the parser's event stream, with an explicit stack (no
/// recursion, so deep nesting cannot overflow the stack), a nesting limit, a node limit against alias bombs, and a
/// repeated key reported as a parse error.
/// </summary>
internal static class YamlReader
{
    public const int MaxDepth = 200;
    private const int MaxNodes = 2_000_000;

    public static YamlParseResult Parse(string text)
    {
        try
        {
            return ParseCore(text);
        }
        catch (YamlException ex)
        {
            return new YamlParseResult(null, Detail(ex), Math.Max(1, (int)ex.Start.Line));
        }
        catch (ArgumentException ex)
        {
            // YamlDotNet reports some malformed input (e.g. invalid anchors) as ArgumentException.
            return new YamlParseResult(null, ex.Message, 1);
        }
        catch (InvalidOperationException ex)
        {
            // And some parser states as InvalidOperationException; user input never crashes the compiler.
            return new YamlParseResult(null, ex.Message, 1);
        }
    }

    private static string Detail(YamlException ex)
    {
        var message = ex.InnerException?.Message ?? ex.Message;
        // YamlDotNet prefixes "(Line: a, Col: b, Idx: c) - (…): "; keep the text after it.
        var idx = message.LastIndexOf("): ", StringComparison.Ordinal);
        return idx >= 0 ? message[(idx + 3)..] : message;
    }

    private static YamlParseResult ParseCore(string text)
    {
        using var reader = new StringReader(text);
        var parser = new Parser(reader);
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var stack = new Stack<(YNode Node, YNode? PendingKey, HashSet<string>? Keys)>();
        YNode? root = null;
        var documents = 0;
        var nodes = 0;

        while (parser.MoveNext())
        {
            var ev = parser.Current;
            var line = (int)(ev?.Start.Line ?? 1);
            switch (ev)
            {
                case StreamStart or StreamEnd or DocumentEnd:
                    break;
                case DocumentStart:
                    documents++;
                    if (documents > 1)
                    {
                        return new YamlParseResult(null, "expected a single document in the stream", line);
                    }

                    break;
                case Scalar scalar:
                    {
                        var node = new YScalar(line, scalar.Value, scalar.Style == ScalarStyle.Plain, scalar.Tag.IsEmpty ? null : scalar.Tag.Value);
                        if (!scalar.Anchor.IsEmpty)
                        {
                            anchors[scalar.Anchor.Value] = node;
                        }

                        var error = Attach(stack, node, ref root);
                        if (error is not null)
                        {
                            return new YamlParseResult(null, error, line);
                        }

                        break;
                    }

                case AnchorAlias alias:
                    {
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            return new YamlParseResult(null, $"found undefined alias '{alias.Value.Value}'", line);
                        }

                        var error = Attach(stack, target, ref root);
                        if (error is not null)
                        {
                            return new YamlParseResult(null, error, line);
                        }

                        break;
                    }

                case MappingStart mappingStart:
                    {
                        if (stack.Count >= MaxDepth || ++nodes > MaxNodes)
                        {
                            return new YamlParseResult(null, $"nesting deeper than {MaxDepth.ToString(CultureInfo.InvariantCulture)} levels", line);
                        }

                        var node = new YMapping(line);
                        if (!mappingStart.Anchor.IsEmpty)
                        {
                            anchors[mappingStart.Anchor.Value] = node;
                        }

                        stack.Push((node, null, new HashSet<string>(StringComparer.Ordinal)));
                        break;
                    }

                case SequenceStart sequenceStart:
                    {
                        if (stack.Count >= MaxDepth || ++nodes > MaxNodes)
                        {
                            return new YamlParseResult(null, $"nesting deeper than {MaxDepth.ToString(CultureInfo.InvariantCulture)} levels", line);
                        }

                        var node = new YSequence(line);
                        if (!sequenceStart.Anchor.IsEmpty)
                        {
                            anchors[sequenceStart.Anchor.Value] = node;
                        }

                        stack.Push((node, null, null));
                        break;
                    }

                case MappingEnd or SequenceEnd:
                    {
                        var (done, _, _) = stack.Pop();
                        var error = Attach(stack, done, ref root);
                        if (error is not null)
                        {
                            return new YamlParseResult(null, error, line);
                        }

                        break;
                    }

                default:
                    break;
            }
        }

        return new YamlParseResult(root, null, 0);
    }

    private static string? Attach(Stack<(YNode Node, YNode? PendingKey, HashSet<string>? Keys)> stack, YNode node, ref YNode? root)
    {
        if (stack.Count == 0)
        {
            root = node;
            return null;
        }

        var (parent, pendingKey, keys) = stack.Pop();
        switch (parent)
        {
            case YSequence sequence:
                sequence.Items.Add(node);
                stack.Push((parent, null, keys));
                return null;
            case YMapping mapping when pendingKey is null:
                if (node is YScalar keyScalar)
                {
                    var keyText = keyScalar.Value is null ? "\0null" : Convert.ToString(keyScalar.Value, CultureInfo.InvariantCulture) ?? string.Empty;
                    if (!keys!.Add(keyText))
                    {
                        return $"found duplicate key '{keyScalar.Text}'";
                    }
                }

                stack.Push((mapping, node, keys));
                return null;
            case YMapping mapping:
                mapping.Entries.Add(new YEntry(pendingKey, node));
                stack.Push((mapping, null, keys));
                return null;
            default:
                return "unexpected node";
        }
    }
}
