using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Loopy.Bus.Compliance.Tests;

public sealed class BusRegistrationTests
{
    [Theory]
    [InlineData("amqp://guest:guest@localhost:5672/", null, BusTransport.RabbitMq)]
    [InlineData("amqp://guest:guest@localhost:5672/", "localhost:6379", BusTransport.RabbitMq)]
    [InlineData(null, "localhost:6379", BusTransport.Redis)]
    [InlineData(null, null, BusTransport.InProcess)]
    public void The_transport_is_chosen_from_the_connection_strings(string? rabbitmq, string? redis, BusTransport expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:rabbitmq"] = rabbitmq,
                ["ConnectionStrings:redis"] = redis,
            })
            .Build();

        Assert.Equal(expected, BusServiceCollectionExtensions.SelectTransport(configuration, out _));
    }

    [Fact]
    public async Task AddLoopyBus_without_connection_strings_registers_the_in_process_bus_with_bound_options()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Loopy:Bus:MaxAttempts"] = "7" })
            .Build();
        await using var provider = new ServiceCollection().AddLogging().AddLoopyBus(configuration).BuildServiceProvider();

        var bus = provider.GetRequiredService<IEventBus>();

        Assert.Equal("InProcessEventBus", bus.GetType().Name);
        Assert.Equal(7, provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<BusOptions>>().Value.MaxAttempts);
        _ = provider.GetRequiredService<ILoggerFactory>();
    }
}
