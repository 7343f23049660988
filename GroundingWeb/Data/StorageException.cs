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
    // errno values .NET puts in IOException.HResult on Linux: ENOSPC, EDQUOT.
    private const int NoSpaceLeft = 28;
    private const int QuotaExceeded = 122;
    // SQLITE_FULL: the database could not grow.
    private const int SqliteFull = 13;

    /// <summary>The failures of the database or the data folder that a service turns into this exception.</summary>
    public static bool IsStorageFailure(Exception ex) =>
        ex is StorageException or DbUpdateException or SqliteException or UnauthorizedAccessException
        // A malformed request is an IOException to the framework, but the request's fault, not the storage's.
        // A client that dropped its upload is not the storage's fault either.
        || ex is IOException and not (BadHttpRequestException or Microsoft.AspNetCore.Connections.ConnectionResetException);

    /// <summary>True when the disk (or the quota) is full somewhere in the chain: 507 rather than 503.</summary>
    public static bool IsOutOfSpace(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: NoSpaceLeft or QuotaExceeded }
                || e is SqliteException { SqliteErrorCode: SqliteFull })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The HTTP status for a storage failure: 507 Insufficient Storage when full, else 503.</summary>
    public static int StatusCodeFor(Exception ex) =>
        IsOutOfSpace(ex) ? StatusCodes.Status507InsufficientStorage : StatusCodes.Status503ServiceUnavailable;
}
