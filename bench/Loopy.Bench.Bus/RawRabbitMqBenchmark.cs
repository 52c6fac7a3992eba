using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Loopy.Bench.Bus;

/// <summary>RabbitMQ.Client 7 alone: a fanout exchange, a quorum queue, publisher confirms, manual acks.</summary>
internal static class RawRabbitMqBenchmark
{
    public static async Task<IReadOnlyList<BenchResult>> RunAsync(string connectionString, BenchSettings settings)
    {
        var results = new List<BenchResult>();
        var prefix = $"rawbench{Guid.NewGuid():N}"[..20];
        var factory = new ConnectionFactory { Uri = new Uri(connectionString), ClientProvidedName = "loopy-bench-raw" };
        await using var connection = await factory.CreateConnectionAsync();
        var confirmed = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

        // Publish with confirm.
        await using (var channel = await connection.CreateChannelAsync(confirmed))
        {
            var (exchange, queue) = await DeclareAsync(channel, prefix + ".publish");
            var (published, elapsed, latency) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
                i => channel.BasicPublishAsync(exchange, string.Empty, mandatory: false, new BasicProperties { Persistent = true }, Messages.Serialize(Messages.Create("bench.publish", i))).AsTask());
            results.Add(Load.Result("RabbitMq", "raw", "publish (confirmed)", published, elapsed, latency));
            await channel.QueueDeleteAsync(queue);
            await channel.ExchangeDeleteAsync(exchange);
        }

        // Publish → consume.
        await using (var channel = await connection.CreateChannelAsync(confirmed))
        await using (var consuming = await connection.CreateChannelAsync())
        {
            var (exchange, queue) = await DeclareAsync(channel, prefix + ".flow");
            await consuming.BasicQosAsync(0, 64, global: false);
            var handled = 0;
            var consumer = new AsyncEventingBasicConsumer(consuming);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                _ = System.Text.Json.JsonDocument.Parse(delivery.Body);
                await consuming.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                Interlocked.Increment(ref handled);
            };
            await consuming.BasicConsumeAsync(queue, autoAck: false, consumer);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (sent, _, _) = await Load.PublishAsync(settings.Count, settings.Concurrency, settings.TimeLimit,
                i => channel.BasicPublishAsync(exchange, string.Empty, mandatory: false, new BasicProperties { Persistent = true }, Messages.Serialize(Messages.Create("bench.flow", i))).AsTask());
            var complete = await Load.WaitForAsync(() => Volatile.Read(ref handled), sent, settings.TimeLimit);
            clock.Stop();
            results.Add(Load.Result("RabbitMq", "raw", complete ? "publish→consume" : "publish→consume (INCOMPLETE)", Volatile.Read(ref handled), clock.Elapsed, null));
            await channel.QueueDeleteAsync(queue);
            await channel.ExchangeDeleteAsync(exchange);
        }

        return results;
    }

    private static async Task<(string Exchange, string Queue)> DeclareAsync(IChannel channel, string name)
    {
        await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false,
            new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-delivery-limit"] = 5 });
        await channel.QueueBindAsync(name, name, string.Empty);
        return (name, name);
    }
}
