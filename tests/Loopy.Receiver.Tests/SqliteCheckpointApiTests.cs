namespace Loopy.Receiver.Tests;

/// <summary>The checkpoint API on the standalone SQLite store.</summary>
public sealed class SqliteCheckpointApiTests : CheckpointApiTests
{
    protected override ReceiverFixture CreateFixture() => new(null, null);
}
