namespace Loopy.AppHost;

/// <summary>Where the AppHost gets Postgres, RabbitMQ and Redis from.</summary>
public enum ServersMode
{
    /// <summary>No servers: every service in this process, the in-process bus and SQLite under the project's <c>.loopy/</c>.</summary>
    Standalone,

    /// <summary>Start them as local processes with <c>eng/servers.sh</c>.</summary>
    Local,

    /// <summary>Use the <c>ConnectionStrings__*</c> variables already in the environment.</summary>
    External,
}
