using Loopy.Testing;
using Microsoft.EntityFrameworkCore;

namespace Loopy.Integration.Tests.Servers;

/// <summary>Proves the EF Core + Npgsql wiring against the real Postgres server.</summary>
public class PostgresSmokeTests
{
    [Fact]
    public async Task A_row_written_through_EF_Core_is_read_back()
    {
        var schema = $"smoke_{Guid.NewGuid():N}";
        var options = new DbContextOptionsBuilder<SmokeContext>().UseNpgsql(TestServers.Postgres).Options;
        var ct = TestContext.Current.CancellationToken;

        await using (var context = new SmokeContext(options, schema))
        {
            // The schema name is a GUID made here, not input: safe to splice into DDL.
            var createSchema = $"CREATE SCHEMA \"{schema}\"";
            var createTable = $"CREATE TABLE \"{schema}\".notes (id uuid PRIMARY KEY, text text NOT NULL)";
            await context.Database.ExecuteSqlRawAsync(createSchema, ct);
            await context.Database.ExecuteSqlRawAsync(createTable, ct);
            context.Notes.Add(new SmokeNote { Id = Guid.CreateVersion7(), Text = "hello postgres" });
            await context.SaveChangesAsync(ct);
        }

        try
        {
            await using var reader = new SmokeContext(options, schema);
            var note = await reader.Notes.SingleAsync(ct);
            Assert.Equal("hello postgres", note.Text);
        }
        finally
        {
            await using var cleanup = new SmokeContext(options, schema);
            var dropSchema = $"DROP SCHEMA \"{schema}\" CASCADE";
            await cleanup.Database.ExecuteSqlRawAsync(dropSchema, CancellationToken.None);
        }
    }

    public sealed class SmokeNote
    {
        public Guid Id { get; set; }

        public string Text { get; set; } = string.Empty;
    }

    private sealed class SmokeContext(DbContextOptions<SmokeContext> options, string schema) : DbContext(options)
    {
        public DbSet<SmokeNote> Notes => Set<SmokeNote>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<SmokeNote>(note =>
            {
                note.ToTable("notes", schema);
                note.Property(n => n.Id).HasColumnName("id");
                note.Property(n => n.Text).HasColumnName("text");
            });
        }
    }
}
