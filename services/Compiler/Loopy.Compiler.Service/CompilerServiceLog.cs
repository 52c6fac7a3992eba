using Microsoft.Extensions.Logging;

namespace Loopy.Compiler.Service;

internal static partial class CompilerServiceLog
{
    [LoggerMessage(1, LogLevel.Information, "Manifest version {Hash} activated ({Workflows} workflows) from {ProjectDir}")]
    public static partial void Activated(ILogger logger, string hash, int workflows, string projectDir);

    [LoggerMessage(2, LogLevel.Information, "The project compiled to the active version {Hash}; nothing to activate")]
    public static partial void Unchanged(ILogger logger, string hash);

    [LoggerMessage(3, LogLevel.Warning, "The project no longer compiles ({Errors} errors); version {Hash} stays active")]
    public static partial void CompileFailed(ILogger logger, int errors, string hash);

    [LoggerMessage(4, LogLevel.Warning, "{Code} {Location}: {Message}")]
    public static partial void Diagnostic(ILogger logger, string code, string location, string message);

    [LoggerMessage(5, LogLevel.Error, "Activating the manifest failed; retrying on the next change check")]
    public static partial void ActivationFailed(ILogger logger, Exception exception);
}
