namespace Loopy.Runtime.Tests;

/// <summary>Runtime tests on the shared real servers run one at a time (the machine is small and shared).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealServers
{
    public const string Name = "runtime on real servers";
}
