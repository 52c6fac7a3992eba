namespace Loopy.Compiler.Model;

/// <summary>One template reference in a body, with the file line where its tag starts.</summary>
internal sealed record RefDef(string Producer, string Field, string Raw, int Line);
