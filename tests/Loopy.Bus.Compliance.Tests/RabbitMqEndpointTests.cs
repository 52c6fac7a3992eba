using Loopy.Bus.RabbitMq;
using Loopy.Bus.Redis;

namespace Loopy.Bus.Compliance.Tests;

public sealed class RabbitMqEndpointTests
{
    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:55672/", "127.0.0.1", 55672, "/", "guest", "guest")]
    [InlineData("amqp://loopy:p%40ss@rabbit.local/prod", "rabbit.local", 5672, "prod", "loopy", "p@ss")]
    [InlineData("amqp://rabbit.local:5673", "rabbit.local", 5673, "/", "guest", "guest")]
    public void Connection_strings_are_read_like_amqp_uris(string connectionString, string host, int port, string virtualHost, string user, string password)
    {
        var endpoint = RabbitMqEndpoint.Parse(connectionString);

        Assert.Equal(new RabbitMqEndpoint(host, port, virtualHost, user, password), endpoint);
    }

    [Theory]
    [InlineData("1-5", "2-0", -1)]
    [InlineData("10-0", "9-99", 1)]
    [InlineData("7-3", "7-3", 0)]
    [InlineData("7-2", "7-10", -1)]
    public void Stream_ids_compare_by_time_then_sequence(string left, string right, int sign)
    {
        Assert.Equal(sign, Math.Sign(StreamId.Parse(left).CompareTo(StreamId.Parse(right))));
        Assert.Equal(left, StreamId.Parse(left).ToString());
    }
}
