namespace Loopy.Runtime.State;

/// <summary>Which database holds the state.</summary>
public enum StateProvider
{
    Sqlite,
    Postgres,
}
