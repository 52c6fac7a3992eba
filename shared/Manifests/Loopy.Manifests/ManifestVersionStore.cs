using Npgsql;

namespace Loopy.Manifests;

/// <summary>
/// The manifest versions the Compiler service compiled, in Postgres: one row per content hash with the JSON, when it
/// was compiled and stored, and which one is active (exactly one once anything was stored). Activating a version is
/// one transaction, so readers see the old or the new version, never none.
/// </summary>
public sealed class ManifestVersionStore(string connectionString) : IAsyncDisposable
{
    public const string Table = "loopy_manifest_versions";
    private const long SchemaLockKey = 0x4C4F4F50594D4E46; // "LOOPYMNF"

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);
    private volatile bool _schemaReady;

    /// <summary>Stores <paramref name="snapshot"/> if new and makes it the active version; true when the active version changed.</summary>
    public async Task<bool> ActivateAsync(ManifestSnapshot snapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockActive = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockActive.Parameters.AddWithValue("key", SchemaLockKey + 1);
            await lockActive.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var current = new NpgsqlCommand($"SELECT hash FROM {Table} WHERE active", connection, transaction))
        {
            if (await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string active && active == snapshot.Hash)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }
        }

        await using (var insert = new NpgsqlCommand(
            $"""
            UPDATE {Table} SET active = false WHERE active;
            INSERT INTO {Table} (hash, json, stored_at, activated_at, active) VALUES (@hash, @json, @now, @now, true)
            ON CONFLICT (hash) DO UPDATE SET active = true, activated_at = @now;
            """, connection, transaction))
        {
            insert.Parameters.AddWithValue("hash", snapshot.Hash);
            insert.Parameters.AddWithValue("json", snapshot.Json);
            insert.Parameters.AddWithValue("now", now);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The active version, or null before the first activation.</summary>
    public async Task<ManifestSnapshot?> GetActiveAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT hash, json FROM {Table} WHERE active LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new ManifestSnapshot(reader.GetString(1), reader.GetString(0))
            : null;
    }

    /// <summary>Every stored version, newest activation first.</summary>
    public async Task<IReadOnlyList<ManifestVersionInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT hash, stored_at, activated_at, active FROM {Table} ORDER BY activated_at DESC");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<ManifestVersionInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(new ManifestVersionInfo(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3)));
        }

        return versions;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock({SchemaLockKey});
            CREATE TABLE IF NOT EXISTS {Table} (
                hash text PRIMARY KEY,
                json text NOT NULL,
                stored_at timestamptz NOT NULL,
                activated_at timestamptz NOT NULL,
                active boolean NOT NULL DEFAULT false);
            CREATE UNIQUE INDEX IF NOT EXISTS {Table}_one_active ON {Table} (active) WHERE active;
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _schemaReady = true;
    }
}

/// <summary>One stored manifest version.</summary>
public sealed record ManifestVersionInfo(string Hash, DateTimeOffset StoredAt, DateTimeOffset ActivatedAt, bool Active);
