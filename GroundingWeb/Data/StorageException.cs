using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace GroundingWeb.Data;

/// <summary>
/// A change the database or the image folder refused, worded for the person who asked for it. The
/// services throw it in place of EF Core, Sqlite and file-system exceptions, so pages show its
/// message and know nothing of the storage underneath.
/// </summary>
public sealed class StorageException(string message, Exception inner) : Exception(message, inner)
{
    /// <summary>The failures of the database or the data folder that a service turns into this exception.</summary>
    public static bool IsStorageFailure(Exception ex) =>
        ex is DbUpdateException or SqliteException or IOException or UnauthorizedAccessException;
}
