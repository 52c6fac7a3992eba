namespace Loopy.Receiver.Tests;

/// <summary>Receiver tests on the shared real servers run one at a time (some stop a server).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealServers
{
    public const string Name = "receiver on real servers";
}
