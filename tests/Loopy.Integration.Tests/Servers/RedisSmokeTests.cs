using Loopy.Testing;
using StackExchange.Redis;

namespace Loopy.Integration.Tests.Servers;

/// <summary>Proves the StackExchange.Redis streams wiring against the real Redis server.</summary>
public class RedisSmokeTests
{
    [Fact]
    public async Task An_entry_added_with_XADD_is_read_by_a_consumer_group_and_acknowledged()
    {
        var options = ConfigurationOptions.Parse(TestServers.Redis);
        options.Protocol = RedisProtocol.Resp2;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var db = redis.GetDatabase();
        var stream = $"loopy:smoke:{Guid.NewGuid():N}";
        try
        {
            await db.StreamCreateConsumerGroupAsync(stream, "smoke", StreamPosition.Beginning, createStream: true);
            var id = await db.StreamAddAsync(stream, [new NameValueEntry("body", "hello redis")]);

            var entries = await db.StreamReadGroupAsync(stream, "smoke", "consumer-1", StreamPosition.NewMessages, count: 10);

            var entry = Assert.Single(entries);
            Assert.Equal(id, entry.Id);
            Assert.Equal("hello redis", (string?)entry["body"]);
            Assert.Equal(1, await db.StreamAcknowledgeAsync(stream, "smoke", entry.Id));
            var pending = await db.StreamPendingAsync(stream, "smoke");
            Assert.Equal(0, pending.PendingMessageCount);
        }
        finally
        {
            await db.KeyDeleteAsync(stream);
        }
    }
}
