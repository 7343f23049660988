namespace GroundingWeb.Data;

/// <summary>An uploaded or sample image, stored once on disk under its SHA-256 whatever the number of predictions on it.</summary>
public sealed class StoredImage
{
    /// <summary>Lower-case hex SHA-256 of the file's bytes; also its file name on disk.</summary>
    public required string Sha256 { get; set; }

    /// <summary>File extension of the detected format (png, jpg, ...), without the dot.</summary>
    public required string Extension { get; set; }

    public int Width { get; set; }
    public int Height { get; set; }
    public long ByteCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public List<PredictionRecord> Predictions { get; set; } = [];
}
