using Loopy.Testing;

namespace Loopy.Runtime.Tests;

/// <summary>The Runtime on real Postgres (a database per fixture) and RabbitMQ (a prefix per fixture).</summary>
[Collection(RealServers.Name)]
public sealed class DistributedRuntimeTests : RuntimeComplianceTests
{
    protected override Task<RuntimeFixture> CreateFixtureAsync(string projectRoot, IDictionary<string, string?>? settings = null) =>
        RuntimeFixture.StartAsync(projectRoot, TestServers.Postgres, TestServers.RabbitMq, settings, Ct);
}
