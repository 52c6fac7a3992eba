using Npgsql;

namespace Loopy.Testing;

/// <summary>A Postgres database of its own for one fixture (<c>&lt;prefix&gt;_&lt;guid&gt;</c>), dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private TestDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(string serverConnectionString, CancellationToken cancellationToken, string prefix = "loopy_rt")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..24];

        // An earlier test in this process may have restarted Postgres: pooled connections to it are dead.
        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, MaxPoolSize = 40 };
        return new TestDatabase(serverConnectionString, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
