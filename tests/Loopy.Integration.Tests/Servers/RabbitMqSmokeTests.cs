using Loopy.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Loopy.Integration.Tests.Servers;

/// <summary>Proves the MassTransit + RabbitMQ wiring (publisher confirms on) against the real broker.</summary>
public class RabbitMqSmokeTests
{
    [Fact]
    public async Task A_message_published_with_confirms_is_consumed()
    {
        var ct = TestContext.Current.CancellationToken;
        var received = new TaskCompletionSource<SmokePing>(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = $"loopy-smoke-{Guid.NewGuid():N}";

        var services = new ServiceCollection();
        services.AddSingleton(received);
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<SmokePingConsumer>();
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(TestServers.RabbitMq), host => host.PublisherConfirmation = true);
                rabbit.ReceiveEndpoint(queue, endpoint =>
                {
                    endpoint.AutoDelete = true;
                    endpoint.Durable = false;
                    endpoint.ConfigureConsumer<SmokePingConsumer>(context);
                });
            });
        });

        await using var provider = services.BuildServiceProvider();
        var control = provider.GetRequiredService<IBusControl>();
        await control.StartAsync(ct);
        try
        {
            var marker = Guid.NewGuid().ToString("N");
            await control.Publish(new SmokePing(marker), ct);

            var ping = await received.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            Assert.Equal(marker, ping.Marker);
        }
        finally
        {
            await control.StopAsync(CancellationToken.None);
        }
    }

    public sealed record SmokePing(string Marker);

    public sealed class SmokePingConsumer(TaskCompletionSource<SmokePing> received) : IConsumer<SmokePing>
    {
        public Task Consume(ConsumeContext<SmokePing> context)
        {
            received.TrySetResult(context.Message);
            return Task.CompletedTask;
        }
    }
}
