using Microsoft.Extensions.Hosting;

namespace Loopy.Runtime;

/// <summary>Registers the Runtime's services; the host and the standalone composition both call it.</summary>
public static class RuntimeServiceCollectionExtensions
{
    public static TBuilder AddLoopyRuntime<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder;
    }
}
