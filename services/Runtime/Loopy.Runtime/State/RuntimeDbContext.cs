using Microsoft.EntityFrameworkCore;

namespace Loopy.Runtime.State;

/// <summary>The Runtime's state: one model for Postgres and SQLite (snake_case tables prefixed <c>runtime_</c>).</summary>
public sealed class RuntimeDbContext(DbContextOptions<RuntimeDbContext> options) : DbContext(options)
{
    public DbSet<RunRecord> Runs => Set<RunRecord>();

    public DbSet<StepRecord> Steps => Set<StepRecord>();

    public DbSet<HistoryRecord> History => Set<HistoryRecord>();

    public DbSet<OutboxRecord> Outbox => Set<OutboxRecord>();

    public DbSet<ManifestRecord> Manifests => Set<ManifestRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<RunRecord>(run =>
        {
            run.ToTable("runtime_runs");
            run.HasKey(r => r.Id);
            run.Property(r => r.Id).HasColumnName("id");
            run.Property(r => r.Workflow).HasColumnName("workflow");
            run.Property(r => r.EventId).HasColumnName("event_id");
            run.Property(r => r.EventName).HasColumnName("event_name");
            run.Property(r => r.EventFields).HasColumnName("event_fields");
            run.Property(r => r.ManifestHash).HasColumnName("manifest_hash");
            run.Property(r => r.Status).HasColumnName("status");
            run.Property(r => r.CascadeId).HasColumnName("cascade_id");
            run.Property(r => r.ChainDepth).HasColumnName("chain_depth");
            run.Property(r => r.TraceParent).HasColumnName("trace_parent");
            run.Property(r => r.Error).HasColumnName("error");
            run.Property(r => r.FailedStep).HasColumnName("failed_step");
            run.Property(r => r.CreatedAt).HasColumnName("created_at");
            run.Property(r => r.FinishedAt).HasColumnName("finished_at");
            run.HasIndex(r => new { r.EventId, r.Workflow }).IsUnique().HasDatabaseName("ix_runtime_runs_event_workflow");
            run.HasIndex(r => new { r.Workflow, r.Status }).HasDatabaseName("ix_runtime_runs_workflow_status");
            run.HasIndex(r => r.CascadeId).HasDatabaseName("ix_runtime_runs_cascade");
        });

        modelBuilder.Entity<StepRecord>(step =>
        {
            step.ToTable("runtime_steps");
            step.HasKey(s => s.Id);
            step.Property(s => s.Id).HasColumnName("id");
            step.Property(s => s.RunId).HasColumnName("run_id");
            step.Property(s => s.Name).HasColumnName("name");
            step.Property(s => s.StepId).HasColumnName("step_id");
            step.Property(s => s.Status).HasColumnName("status");
            step.Property(s => s.Attempt).HasColumnName("attempt");
            step.Property(s => s.LeaseOwner).HasColumnName("lease_owner");
            step.Property(s => s.LeaseExpiresAt).HasColumnName("lease_expires_at");
            step.Property(s => s.Version).HasColumnName("version");
            step.Property(s => s.NextAttemptAt).HasColumnName("next_attempt_at");
            step.Property(s => s.Output).HasColumnName("output");
            step.Property(s => s.Reply).HasColumnName("reply");
            step.Property(s => s.CostUsd).HasColumnName("cost_usd");
            step.Property(s => s.InputTokens).HasColumnName("input_tokens");
            step.Property(s => s.OutputTokens).HasColumnName("output_tokens");
            step.Property(s => s.Error).HasColumnName("error");
            step.Property(s => s.StartedAt).HasColumnName("started_at");
            step.Property(s => s.FinishedAt).HasColumnName("finished_at");
            step.HasIndex(s => new { s.RunId, s.Name }).IsUnique().HasDatabaseName("ix_runtime_steps_run_name");
            step.HasIndex(s => new { s.Status, s.NextAttemptAt }).HasDatabaseName("ix_runtime_steps_status_next");
        });

        modelBuilder.Entity<HistoryRecord>(history =>
        {
            history.ToTable("runtime_run_history");
            history.HasKey(h => h.Id);
            history.Property(h => h.Id).HasColumnName("id").ValueGeneratedOnAdd();
            history.Property(h => h.RunId).HasColumnName("run_id");
            history.Property(h => h.Kind).HasColumnName("kind");
            history.Property(h => h.StepId).HasColumnName("step_id");
            history.Property(h => h.Payload).HasColumnName("payload");
            history.Property(h => h.At).HasColumnName("at");
            history.HasIndex(h => new { h.RunId, h.Id }).HasDatabaseName("ix_runtime_run_history_run");
        });

        modelBuilder.Entity<OutboxRecord>(outbox =>
        {
            outbox.ToTable("runtime_outbox");
            outbox.HasKey(o => o.EventId);
            outbox.Property(o => o.EventId).HasColumnName("event_id");
            outbox.Property(o => o.RunId).HasColumnName("run_id");
            outbox.Property(o => o.EventName).HasColumnName("event_name");
            outbox.Property(o => o.Message).HasColumnName("message");
            outbox.Property(o => o.CreatedAt).HasColumnName("created_at");
            outbox.Property(o => o.SentAt).HasColumnName("sent_at");
            outbox.HasIndex(o => new { o.SentAt, o.CreatedAt }).HasDatabaseName("ix_runtime_outbox_unsent");
        });

        modelBuilder.Entity<ManifestRecord>(manifest =>
        {
            manifest.ToTable("runtime_manifests");
            manifest.HasKey(m => m.Hash);
            manifest.Property(m => m.Hash).HasColumnName("hash");
            manifest.Property(m => m.Json).HasColumnName("json");
            manifest.Property(m => m.StoredAt).HasColumnName("stored_at");
        });
    }
}
