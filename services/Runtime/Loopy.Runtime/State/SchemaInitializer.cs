using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.State;

/// <summary>
/// Creates the schema at start-up, idempotently: EF Core's create script for the provider, each
/// statement made <c>IF NOT EXISTS</c>. On Postgres it runs under an advisory lock, so replicas
/// starting together do not race; on SQLite it also switches the file to WAL.
/// </summary>
public static class SchemaInitializer
{
    /// <summary>An arbitrary constant naming the Runtime's schema lock ("loopyrt1").</summary>
    private const long AdvisoryLockKey = 0x6c6f6f7079727431;

    public static async Task EnsureSchemaAsync(RuntimeStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!store.IsPostgres && db.Database.GetDbConnection().DataSource is { Length: > 0 } file)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        }

        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (store.IsPostgres)
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            }

            try
            {
                foreach (var statement in IdempotentStatements(db))
                {
                    await db.Database.ExecuteSqlRawAsync(statement, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (store.IsPostgres)
                {
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The provider's create script, split into statements, each guarded with IF NOT EXISTS.</summary>
    public static IReadOnlyList<string> IdempotentStatements(RuntimeDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.GenerateCreateScript()
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s.Contains("CREATE", StringComparison.Ordinal))
            .Select(s => s
                .Replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", StringComparison.Ordinal)
                .Replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", StringComparison.Ordinal)
                .Replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", StringComparison.Ordinal))
            .ToList();
    }
}
