namespace Loopy.Compiler.Compilation;

/// <summary>A Python token: kind N(ame), S(tring literal), F (f-string or bytes), O(perator), X (other), L (logical line end).</summary>
internal readonly record struct PythonToken(char Kind, string Text, int Line, int Column);
