namespace Loopy.Integration.Tests;

/// <summary>Tests that stop a real server run one at a time, never beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerOutages
{
    public const string Name = "server outages";
}
