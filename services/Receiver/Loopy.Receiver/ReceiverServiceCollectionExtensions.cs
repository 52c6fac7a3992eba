using Microsoft.Extensions.Hosting;

namespace Loopy.Receiver;

/// <summary>Registers the Receiver's services; the host and the standalone composition both call it.</summary>
public static class ReceiverServiceCollectionExtensions
{
    public static TBuilder AddLoopyReceiver<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
