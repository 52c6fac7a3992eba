using Microsoft.Extensions.Hosting;

namespace Loopy.SensorHost;

/// <summary>Registers the SensorHost's services; the host and the standalone composition both call it.</summary>
public static class SensorHostServiceCollectionExtensions
{
    public static TBuilder AddLoopySensorHost<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
