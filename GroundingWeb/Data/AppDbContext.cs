using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Data;

/// <summary>One Sqlite database for accounts (Identity), images, predictions and invitations.</summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<AppUser>(options)
{
    public DbSet<StoredImage> Images => Set<StoredImage>();
    public DbSet<PredictionRecord> Predictions => Set<PredictionRecord>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<PredictionReview> Reviews => Set<PredictionReview>();
    public DbSet<PredictionComment> Comments => Set<PredictionComment>();
    public DbSet<RegisteredDataset> Datasets => Set<RegisteredDataset>();
    public DbSet<EvaluationRun> EvaluationRuns => Set<EvaluationRun>();
    public DbSet<EvaluationSampleResult> EvaluationResults => Set<EvaluationSampleResult>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<StoredImage>(image =>
        {
            image.HasKey(i => i.Sha256);
            image.Property(i => i.Sha256).HasMaxLength(64);
            image.Property(i => i.Extension).HasMaxLength(8);
        });

        builder.Entity<PredictionRecord>(prediction =>
        {
            prediction.ToTable("Predictions");
            prediction.HasOne(p => p.Image).WithMany(i => i.Predictions)
                .HasForeignKey(p => p.ImageSha256).OnDelete(DeleteBehavior.Restrict);
            prediction.Property(p => p.Prompt).HasMaxLength(4096);
            prediction.Property(p => p.ModelName).HasMaxLength(200);
            prediction.Property(p => p.ModelVersion).HasMaxLength(100);
            // Sqlite cannot order or compare DateTimeOffset columns; ticks keep filters and sorting in SQL.
            prediction.Property(p => p.CreatedAt).HasConversion(new DateTimeOffsetTicksConverter());
            prediction.HasIndex(p => p.CreatedAt);
            prediction.HasIndex(p => p.ModelName);
            prediction.HasIndex(p => p.UserName);
        });

        builder.Entity<PredictionReview>(review =>
        {
            review.ToTable("Reviews");
            review.HasOne(r => r.Prediction).WithMany(p => p.Reviews).HasForeignKey(r => r.PredictionId).OnDelete(DeleteBehavior.Cascade);
            review.HasIndex(r => new { r.PredictionId, r.ReviewerId }).IsUnique();
            review.HasIndex(r => r.ReviewerId);
            review.Property(r => r.ReviewerName).HasMaxLength(256);
            review.Property(r => r.CreatedAt).HasConversion(new DateTimeOffsetTicksConverter());
            review.Property(r => r.UpdatedAt).HasConversion(new DateTimeOffsetTicksConverter());
        });

        builder.Entity<PredictionComment>(comment =>
        {
            comment.ToTable("Comments");
            comment.HasOne<PredictionRecord>().WithMany(p => p.Comments).HasForeignKey(c => c.PredictionId).OnDelete(DeleteBehavior.Cascade);
            comment.Property(c => c.Text).HasMaxLength(4000);
            comment.Property(c => c.AuthorName).HasMaxLength(256);
            comment.Property(c => c.CreatedAt).HasConversion(new DateTimeOffsetTicksConverter());
        });

        builder.Entity<RegisteredDataset>(dataset =>
        {
            dataset.HasIndex(d => d.Name).IsUnique();
            dataset.Property(d => d.RegisteredAt).HasConversion(new DateTimeOffsetTicksConverter());
        });

        builder.Entity<EvaluationRun>(run =>
        {
            run.HasOne(r => r.Dataset).WithMany().HasForeignKey(r => r.DatasetId).OnDelete(DeleteBehavior.Restrict);
            run.HasIndex(r => r.Status);
            run.Property(r => r.CreatedAt).HasConversion(new DateTimeOffsetTicksConverter());
            run.Ignore(r => r.IsFinished);
        });

        builder.Entity<EvaluationSampleResult>(result =>
        {
            result.HasOne<EvaluationRun>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
            result.HasIndex(r => new { r.RunId, r.Row }).IsUnique();
            result.HasIndex(r => new { r.RunId, r.Iou });
            result.Ignore(r => r.ImageName);
        });

        builder.Entity<Invitation>(invitation =>
        {
            invitation.HasIndex(i => i.TokenSha256).IsUnique();
            invitation.Property(i => i.ExpiresAt).HasConversion(new DateTimeOffsetTicksConverter());
        });
    }
}
