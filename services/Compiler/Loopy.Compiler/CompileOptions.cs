namespace Loopy.Compiler;

/// <summary>How a compile stamps its output.</summary>
public sealed record CompileOptions
{
    /// <summary>The clock for <c>compiled_at</c>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>When set (from <c>SOURCE_DATE_EPOCH</c>), <c>compiled_at</c> is this many seconds after the Unix epoch.</summary>
    public long? SourceDateEpoch { get; init; }
}
