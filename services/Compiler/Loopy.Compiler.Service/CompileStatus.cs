namespace Loopy.Compiler.Service;

/// <summary>What the service last did, served at <c>GET /manifest</c>.</summary>
public sealed class CompileStatus
{
    private readonly Lock _lock = new();
    private CompileReport? _last;
    private string? _activeHash;

    public bool HasCompiled
    {
        get
        {
            lock (_lock)
            {
                return _last is not null;
            }
        }
    }

    public void Record(CompileReport report, string? activeHash)
    {
        lock (_lock)
        {
            _last = report;
            _activeHash = activeHash ?? _activeHash;
        }
    }

    public (CompileReport? Last, string? ActiveHash) Snapshot()
    {
        lock (_lock)
        {
            return (_last, _activeHash);
        }
    }
}

/// <summary>One compile: when, whether it produced a manifest, its hash, and every diagnostic.</summary>
public sealed record CompileReport(DateTimeOffset At, bool Succeeded, string? Hash, IReadOnlyList<CompileReportDiagnostic> Diagnostics);

/// <summary>A diagnostic as served: stable code, severity, file, line, message.</summary>
public sealed record CompileReportDiagnostic(string Code, string Severity, string? File, int Line, string Message);
