using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace GroundingWeb.Data;

/// <summary>Stores a UTC instant as ticks so Sqlite can compare and sort it.</summary>
internal sealed class DateTimeOffsetTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
