using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loopy.Runtime.State;

/// <summary>
/// Opens <see cref="RuntimeDbContext"/>s and write transactions. On Postgres a write unit is a plain
/// transaction (rows it must serialize on are locked with <c>FOR UPDATE</c>); on SQLite, a single-writer
/// database, write units of this process are serialized by a gate so they never fight over the lock.
/// </summary>
public sealed class RuntimeStore : IDisposable
{
    private readonly IDbContextFactory<RuntimeDbContext> _factory;
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    public RuntimeStore(IDbContextFactory<RuntimeDbContext> factory, StateProvider provider)
    {
        _factory = factory;
        Provider = provider;
    }

    public StateProvider Provider { get; }

    public bool IsPostgres => Provider == StateProvider.Postgres;

    /// <summary>A context for reads (or single self-contained writes on Postgres).</summary>
    public Task<RuntimeDbContext> OpenAsync(CancellationToken cancellationToken) => _factory.CreateDbContextAsync(cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction and commits it; the result is returned.</summary>
    public async Task<T> WriteAsync<T>(Func<RuntimeDbContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!IsPostgres)
        {
            await _sqliteWriter.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using var db = await _factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            await using IDbContextTransaction tx = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var result = await work(db, cancellationToken).ConfigureAwait(false);
            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            if (!IsPostgres)
            {
                _sqliteWriter.Release();
            }
        }
    }

    /// <summary>Locks a run's row until the transaction ends (Postgres; SQLite is serialized already).</summary>
    public async Task LockRunAsync(RuntimeDbContext db, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (IsPostgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM runtime_runs WHERE id = {runId} FOR UPDATE", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a command on the context's connection inside its current transaction.</summary>
    public static DbCommand CreateCommand(RuntimeDbContext db, string sql)
    {
        ArgumentNullException.ThrowIfNull(db);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    public static void AddParameter(DbCommand command, string name, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    public void Dispose() => _sqliteWriter.Dispose();
}
