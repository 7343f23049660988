using GroundingWeb.Features.History;
using GroundingWeb.Data;
using GroundingWeb.Inference.Geometry;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Features.Review;

/// <summary>Verdicts, corrected boxes and comments on stored predictions, and the numbers drawn from them.</summary>
public sealed class ReviewService(IDbContextFactory<AppDbContext> contexts, TimeProvider clock)
{
    public const int MaxCommentCharacters = 4000;

    /// <summary>Ids of the predictions this reviewer has not judged, oldest first, narrowed by the filter.</summary>
    public async Task<IReadOnlyList<long>> QueueAsync(string reviewerId, ReviewQueueFilter filter, int limit = 1000, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = db.Predictions.AsNoTracking().Where(p => !p.Reviews.Any(r => r.ReviewerId == reviewerId))
            .Filter(filter.PromptContains, filter.Model, filter.Uploader, filter.From, filter.To);
        return await rows.OrderBy(p => p.Id).Select(p => p.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public async Task<(PredictionRecord Prediction, IReadOnlyList<PredictionReview> Reviews, IReadOnlyList<PredictionComment> Comments)?> LoadAsync(
        long predictionId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var prediction = await db.Predictions.AsNoTracking().Include(p => p.Image).FirstOrDefaultAsync(p => p.Id == predictionId, cancellationToken);
        if (prediction is null)
        {
            return null;
        }
        var reviews = await db.Reviews.AsNoTracking().Where(r => r.PredictionId == predictionId).OrderBy(r => r.CreatedAt).ToListAsync(cancellationToken);
        var comments = await db.Comments.AsNoTracking().Where(c => c.PredictionId == predictionId).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).ToListAsync(cancellationToken);
        return (prediction, reviews, comments);
    }

    /// <summary>Records (or changes) this reviewer's verdict. Fixed needs a box inside the image; others take none.</summary>
    /// <exception cref="ArgumentException">A Fixed verdict without a usable box, or a box with another verdict.</exception>
    /// <exception cref="StorageException">The verdict could not be saved.</exception>
    public async Task<PredictionReview> SubmitAsync(
        long predictionId, string reviewerId, string reviewerName, Verdict verdict, Box? corrected, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(verdict))
        {
            throw new ArgumentException($"Unknown verdict {(int)verdict}.", nameof(verdict));
        }
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var prediction = await db.Predictions.Include(p => p.Image).FirstOrDefaultAsync(p => p.Id == predictionId, cancellationToken)
                         ?? throw new KeyNotFoundException($"Prediction {predictionId} does not exist (it may have been deleted).");
        Box? box = null;
        if (verdict == Verdict.Fixed)
        {
            if (corrected is not { } c)
            {
                throw new ArgumentException("A fixed verdict needs the corrected box: drag or draw it on the image first.", nameof(corrected));
            }
            box = c.Clamp(prediction.Image!.Width, prediction.Image.Height);
            if (box.Value.Width < 1 || box.Value.Height < 1)
            {
                throw new ArgumentException("The corrected box is empty or outside the image; draw it over the object.", nameof(corrected));
            }
        }
        else if (corrected is not null)
        {
            throw new ArgumentException($"A {verdict} verdict takes no box.", nameof(corrected));
        }

        var now = clock.GetUtcNow();
        var review = await db.Reviews.FirstOrDefaultAsync(r => r.PredictionId == predictionId && r.ReviewerId == reviewerId, cancellationToken);
        if (review is null)
        {
            review = new PredictionReview { PredictionId = predictionId, ReviewerId = reviewerId, ReviewerName = reviewerName, CreatedAt = now };
            db.Reviews.Add(review);
        }
        review.Verdict = verdict;
        review.ReviewerName = reviewerName;
        review.X1 = box?.X1;
        review.Y1 = box?.Y1;
        review.X2 = box?.X2;
        review.Y2 = box?.Y2;
        review.IouWithModel = box is { } b ? BoxMath.Iou(prediction.PixelBox, b) : null;
        review.UpdatedAt = now;
        prediction.ReviewState = ReviewState.Reviewed;
        await SaveAsync(db, "Your verdict could not be saved: the prediction changed meanwhile. Reload it and judge again.", cancellationToken);
        return review;
    }

    public async Task<PredictionComment> CommentAsync(long predictionId, string authorId, string authorName, string text, CancellationToken cancellationToken = default)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            throw new ArgumentException("The comment is empty.", nameof(text));
        }
        if (text.Length > MaxCommentCharacters)
        {
            throw new ArgumentException($"The comment has {text.Length} characters; the limit is {MaxCommentCharacters}.", nameof(text));
        }
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await db.Predictions.AnyAsync(p => p.Id == predictionId, cancellationToken))
        {
            throw new KeyNotFoundException($"Prediction {predictionId} does not exist (it may have been deleted).");
        }
        var comment = new PredictionComment
        {
            PredictionId = predictionId, AuthorId = authorId, AuthorName = authorName, Text = text, CreatedAt = clock.GetUtcNow(),
        };
        db.Comments.Add(comment);
        await SaveAsync(db, "Your comment could not be saved; try again in a moment.", cancellationToken);
        return comment;
    }

    /// <exception cref="StorageException">With <paramref name="problem"/>: the same reviewer in a second tab, the prediction deleted meanwhile, a database that refuses writes.</exception>
    private static async Task SaveAsync(AppDbContext db, string problem, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception ex) when (StorageException.IsStorageFailure(ex))
        {
            throw new StorageException(problem, ex);
        }
    }

    public async Task<ReviewerStatistics> StatisticsAsync(string reviewerId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var mine = await db.Reviews.AsNoTracking().Where(r => r.ReviewerId == reviewerId).ToListAsync(cancellationToken);
        var shared = await db.Reviews.AsNoTracking()
            .Where(r => db.Reviews.Any(m => m.ReviewerId == reviewerId && m.PredictionId == r.PredictionId))
            .ToListAsync(cancellationToken);
        var agreeing = 0;
        var sharedCount = 0;
        foreach (var group in shared.GroupBy(r => r.PredictionId).Where(g => g.Count() > 1))
        {
            sharedCount++;
            var others = group.Where(r => r.ReviewerId != reviewerId).ToList();
            var mineHere = group.First(r => r.ReviewerId == reviewerId);
            // Agreement with the others' majority, so one's own vote does not count for itself.
            if (Agreement.Of(others).Majority == mineHere.Verdict)
            {
                agreeing++;
            }
        }
        var today = clock.GetUtcNow().UtcDateTime.Date;
        var fixes = mine.Where(r => r.IouWithModel is not null).Select(r => r.IouWithModel!.Value).ToList();
        return new ReviewerStatistics(
            mine.Count, mine.Count(r => r.Verdict == Verdict.Correct), mine.Count(r => r.Verdict == Verdict.Incorrect), mine.Count(r => r.Verdict == Verdict.Fixed),
            mine.Count(r => r.UpdatedAt.UtcDateTime.Date == today), fixes.Count == 0 ? null : fixes.Average(), sharedCount,
            sharedCount == 0 ? null : (double)agreeing / sharedCount, mine.Count(r => r.Verdict == Verdict.NotInImage));
    }
}
