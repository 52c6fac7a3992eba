using Loopy.Runtime.Harness;

namespace Loopy.Runtime.Sandbox;

/// <summary>The registered <see cref="ISandboxProvider"/>s, by the manifest's <c>provider</c> name.</summary>
public sealed class SandboxProviders(IEnumerable<ISandboxProvider> providers)
{
    private readonly Dictionary<string, ISandboxProvider> _byName = providers
        .GroupBy(p => p.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public ISandboxProvider? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The provider, or a terminal attempt failure naming the unknown provider.</summary>
    public ISandboxProvider Get(string name) => Find(name)
        ?? throw new AttemptFailedException($"sandbox provider '{name}' is not available in this runtime (available: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))})", terminal: true);
}
