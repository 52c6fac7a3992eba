using Loopy.Testing;

namespace Loopy.Bus.Compliance.Tests;

public sealed class RedisBusComplianceTests : BusComplianceTests
{
    protected override BusTransport Transport => BusTransport.Redis;

    protected override string? ConnectionString => TestServers.Redis;

    protected override string? ServerName => "redis";
}
