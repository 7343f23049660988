namespace GroundingWeb.Inference.Imaging;

/// <summary>
/// ImageSharp fills a JPEG that stops mid-scan with grey and reports success, which would send a half-grey
/// picture to the model without a word. This walks the marker structure to see whether the end-of-image
/// marker is really there (as PIL's "image file is truncated" check does).
/// </summary>
internal static class JpegTruncation
{
    private const byte MarkerPrefix = 0xFF;
    private const byte StartOfScan = 0xDA;
    private const byte EndOfImage = 0xD9;

    /// <summary>True when <paramref name="data"/> (a JPEG starting with SOI) ends before its EOI marker.</summary>
    public static bool EndsEarly(ReadOnlySpan<byte> data)
    {
        int i = 2;
        while (true)
        {
            // Markers may be preceded by any number of 0xFF fill bytes; stray bytes are skipped like decoders do.
            int prefix = data[Math.Min(i, data.Length)..].IndexOf(MarkerPrefix);
            if (prefix < 0)
            {
                return true;
            }

            i += prefix;
            while (i < data.Length && data[i] == MarkerPrefix)
            {
                i++;
            }

            if (i >= data.Length)
            {
                return true;
            }

            byte marker = data[i++];
            if (marker == EndOfImage)
            {
                return false;
            }

            if (HasNoLength(marker))
            {
                continue;
            }

            if (i + 2 > data.Length)
            {
                return true;
            }

            i += (data[i] << 8) | data[i + 1];
            if (marker == StartOfScan && !SkipEntropyCodedData(data, ref i))
            {
                return true;
            }
        }
    }

    // Standalone markers: TEM, RSTn, SOI (and a stuffed zero seen out of place).
    private static bool HasNoLength(byte marker) => marker is 0x00 or 0x01 or (>= 0xD0 and <= 0xD8);

    /// <summary>Moves <paramref name="i"/> to the marker that ends a scan; false when the data runs out first.</summary>
    private static bool SkipEntropyCodedData(ReadOnlySpan<byte> data, ref int i)
    {
        while (i < data.Length)
        {
            int prefix = data[i..].IndexOf(MarkerPrefix);
            if (prefix < 0 || i + prefix + 1 >= data.Length)
            {
                return false;
            }

            i += prefix;
            byte next = data[i + 1];
            if (next == 0x00 || next is >= 0xD0 and <= 0xD7)
            {
                // A stuffed 0xFF data byte or a restart marker: still inside the scan.
                i += 2;
                continue;
            }

            if (next == MarkerPrefix)
            {
                i++;
                continue;
            }

            return true;
        }

        return false;
    }
}
