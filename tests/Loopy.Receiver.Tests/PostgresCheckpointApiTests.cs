using Loopy.Testing;

namespace Loopy.Receiver.Tests;

/// <summary>The checkpoint API on real Postgres (in the real-servers collection: other tests there stop Postgres).</summary>
[Collection(RealServers.Name)]
public sealed class PostgresCheckpointApiTests : CheckpointApiTests
{
    protected override ReceiverFixture CreateFixture() => new(TestServers.Postgres, null);
}
