using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Loopy.Receiver.State;

/// <summary>
/// The Receiver's database, shared by its stores: Postgres when <c>ConnectionStrings:postgres</c> is set,
/// else SQLite at <c>{Loopy:DataDirectory or .loopy}/state.db</c>. Each store's tables are created once,
/// idempotently, and safely when several replicas start together.
/// </summary>
public sealed class ReceiverDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _ensured = new(StringComparer.Ordinal);

    private ReceiverDatabase(NpgsqlDataSource? postgres, string? sqlite)
    {
        _postgres = postgres;
        _sqlite = sqlite;
    }

    public bool IsPostgres => _postgres is not null;

    /// <summary>Postgres, with connect and command timeouts bounded by <paramref name="timeout"/> (a down database is a fast 503).</summary>
    public static ReceiverDatabase ForPostgres(string connectionString, TimeSpan timeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
            CommandTimeout = Math.Max(2, (int)Math.Ceiling(timeout.TotalSeconds * 2)),
        };
        return new ReceiverDatabase(NpgsqlDataSource.Create(builder.ConnectionString), null);
    }

    public static ReceiverDatabase ForSqlite(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        var builder = new SqliteConnectionStringBuilder { DataSource = databasePath, DefaultTimeout = 30, Pooling = true };
        return new ReceiverDatabase(null, builder.ConnectionString);
    }

    /// <summary>The database the Receiver's configuration names.</summary>
    public static ReceiverDatabase Create(IConfiguration configuration, ReceiverOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (configuration.GetConnectionString("postgres") is { Length: > 0 } postgres)
        {
            return ForPostgres(postgres, options.DependencyTimeout);
        }

        var directory = configuration["Loopy:DataDirectory"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment.ContentRootPath, ".loopy");
        return ForSqlite(Path.Combine(directory, "state.db"));
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_sqlite);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="schema"/> (idempotent DDL) once per process; on Postgres under the advisory lock
    /// <paramref name="lockKey"/>, so two replicas starting together do not race on <c>CREATE TABLE IF NOT EXISTS</c>.
    /// </summary>
    public async Task EnsureSchemaAsync(string schema, long lockKey, CancellationToken cancellationToken)
    {
        lock (_ensured)
        {
            if (_ensured.Contains(schema))
            {
                return;
            }
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            lock (_ensured)
            {
                if (_ensured.Contains(schema))
                {
                    return;
                }
            }

            await using var connection = await OpenAsync(cancellationToken);
            if (_postgres is not null)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using var lockCommand = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@key)");
                Add(lockCommand, "key", lockKey);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                await using var create = Command(connection, transaction, schema);
                await create.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            else
            {
                await using var create = Command(connection, null, "PRAGMA journal_mode=WAL;" + schema);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            lock (_ensured)
            {
                _ensured.Add(schema);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static void Add(DbCommand command, string name, object value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _gate.Dispose();
    }
}
