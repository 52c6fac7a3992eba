namespace Loopy.AppHost;

/// <summary>The connection strings the AppHost hands to every service, named as Aspire names them.</summary>
public static class ConnectionStrings
{
    public static readonly IReadOnlyList<string> Names = ["postgres", "rabbitmq", "redis"];

    public static string VariableName(string name) => $"ConnectionStrings__{name}";

    public static Dictionary<string, string> FromEnvironment()
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            if (Environment.GetEnvironmentVariable(VariableName(name)) is { Length: > 0 } value)
            {
                found[name] = value;
            }
        }

        return found;
    }
}
