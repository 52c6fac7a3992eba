using Microsoft.Extensions.Options;

namespace Loopy.Runtime.Engine;

/// <summary>This replica's identity, the lease owner name on every step it claims.</summary>
public sealed class RuntimeReplica(IOptions<RuntimeOptions> options)
{
    public string Id { get; } = options.Value.ReplicaId is { Length: > 0 } id
        ? id
        : $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
}
