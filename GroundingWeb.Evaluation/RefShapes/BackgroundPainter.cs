namespace GroundingWeb.Evaluation.RefShapes;

internal enum BackgroundKind { Flat, Gradient, Noise, Texture, Photo }

/// <summary>
/// Paints the backgrounds: flat, gradient, value noise, tinted grey textures and photo crops. Every one is
/// kept mid-toned and desaturated so that the saturated, black and white shapes stand out on it.
/// </summary>
internal static class BackgroundPainter
{
    private static readonly (BackgroundKind Kind, double Weight)[] Weights =
        [(BackgroundKind.Flat, 0.15), (BackgroundKind.Gradient, 0.2), (BackgroundKind.Noise, 0.2), (BackgroundKind.Texture, 0.2), (BackgroundKind.Photo, 0.25)];

    public static (byte[] Rgb, BackgroundKind Kind) Paint(Random rng, int width, int height)
    {
        var kind = RandomPick.Weighted(rng, Weights);
        var rgb = new byte[width * height * 3];
        switch (kind)
        {
            case BackgroundKind.Flat:
                Fill(rgb, width, height, MidTone(rng), MidTone(rng), null);
                break;
            case BackgroundKind.Gradient:
                var angle = rng.NextDouble() * 2 * Math.PI;
                var (ux, uy) = (Math.Cos(angle), Math.Sin(angle));
                var span = Math.Abs(ux) * width + Math.Abs(uy) * height;
                var offset = Math.Min(0, ux * width) + Math.Min(0, uy * height);
                Fill(rgb, width, height, MidTone(rng), MidTone(rng), (x, y) => (ux * x + uy * y - offset) / span);
                break;
            case BackgroundKind.Noise:
                var noise = new ValueNoise(rng, width, height, cell: rng.Next(24, 80));
                Fill(rgb, width, height, MidTone(rng), MidTone(rng), noise.At);
                break;
            case BackgroundKind.Texture:
                PaintTexture(rng, rgb, width, height);
                break;
            default:
                PaintPhoto(rng, rgb, width, height);
                break;
        }
        return (rgb, kind);
    }

    /// <summary>A grey of 95-165 with a light tint: never close to a palette colour.</summary>
    private static (double R, double G, double B) MidTone(Random rng)
    {
        var grey = 95 + rng.NextDouble() * 70;
        var hue = rng.NextDouble() * 2 * Math.PI;
        var amount = rng.NextDouble() * 22;
        return (grey + amount * Math.Cos(hue), grey + amount * Math.Cos(hue - 2.094), grey + amount * Math.Cos(hue + 2.094));
    }

    /// <summary>Mixes colours a and b by <paramref name="mix"/> (0-1, null: all a), quantised to 256 steps through a table.</summary>
    private static void Fill(byte[] rgb, int width, int height, (double R, double G, double B) a, (double R, double G, double B) b, Func<int, int, double>? mix)
    {
        var lut = new byte[256 * 3];
        for (var t = 0; t < 256; t++)
        {
            lut[t * 3] = ToByte(a.R + (b.R - a.R) * t / 255);
            lut[t * 3 + 1] = ToByte(a.G + (b.G - a.G) * t / 255);
            lut[t * 3 + 2] = ToByte(a.B + (b.B - a.B) * t / 255);
        }
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var t = mix is null ? 0 : (int)Math.Clamp(mix(x, y) * 255 + 0.5, 0, 255);
                lut.AsSpan(t * 3, 3).CopyTo(rgb.AsSpan((y * width + x) * 3, 3));
            }
        }
    }

    private static void PaintTexture(Random rng, byte[] rgb, int width, int height)
    {
        var texture = RefShapesAssets.Textures[rng.Next(RefShapesAssets.Textures.Count)];
        var scale = 0.6 + rng.NextDouble() * 0.8;
        var (ox, oy) = (rng.NextDouble() * texture.Width, rng.NextDouble() * texture.Height);
        var centre = 105 + rng.NextDouble() * 50;
        var contrast = (25 + rng.NextDouble() * 25) / 128;
        var tint = MidTone(rng);
        var mean = (tint.R + tint.G + tint.B) / 3;
        var lut = new byte[256 * 3];
        for (var grey = 0; grey < 256; grey++)
        {
            var v = centre + (grey - 128) * contrast;
            (lut[grey * 3], lut[grey * 3 + 1], lut[grey * 3 + 2]) = (ToByte(v * tint.R / mean), ToByte(v * tint.G / mean), ToByte(v * tint.B / mean));
        }
        Resample(texture, ox, oy, scale, scale, width, height, mirror: true, rgb);
        for (var i = 0; i < rgb.Length; i += 3)
        {
            lut.AsSpan(rgb[i] * 3, 3).CopyTo(rgb.AsSpan(i, 3));
        }
    }

    private static void PaintPhoto(Random rng, byte[] rgb, int width, int height)
    {
        var photo = RefShapesAssets.Photos[rng.Next(RefShapesAssets.Photos.Count)];
        // Largest crop of the output's aspect that fits, then 55-100% of it somewhere in the photo.
        var aspect = width / (double)height;
        var (cw, ch) = photo.Width / (double)photo.Height > aspect ? (photo.Height * aspect, (double)photo.Height) : (photo.Width, photo.Width / aspect);
        var f = 0.55 + rng.NextDouble() * 0.45;
        (cw, ch) = (cw * f, ch * f);
        var (ox, oy) = (rng.NextDouble() * (photo.Width - cw), rng.NextDouble() * (photo.Height - ch));
        var (sx, sy) = (cw / width, ch / height);
        var saturation = (float)(0.25 + rng.NextDouble() * 0.2);
        var contrast = (float)(0.4 + rng.NextDouble() * 0.15);
        var shift = (float)(rng.NextDouble() * 30 - 15);
        Resample(photo, ox + 0.5 * sx - 0.5, oy + 0.5 * sy - 0.5, sx, sy, width, height, mirror: false, rgb);
        for (var i = 0; i < rgb.Length; i += 3)
        {
            var (r, g, b) = (rgb[i], rgb[i + 1], rgb[i + 2]);
            var lum = 0.299f * r + 0.587f * g + 0.114f * b;
            rgb[i] = ToByte(128 + shift + (lum + (r - lum) * saturation - 128) * contrast);
            rgb[i + 1] = ToByte(128 + shift + (lum + (g - lum) * saturation - 128) * contrast);
            rgb[i + 2] = ToByte(128 + shift + (lum + (b - lum) * saturation - 128) * contrast);
        }
    }

    /// <summary>
    /// Bilinear resampling: output pixel (x, y) reads the source at (ox + x * sx, oy + y * sy). The mapping
    /// is separable, so indices and weights are computed once per column and once per row.
    /// </summary>
    private static void Resample(AssetImage source, double ox, double oy, double sx, double sy, int width, int height, bool mirror, byte[] rgb)
    {
        var (x0, x1, fx) = Taps(ox, sx, width, source.Width, mirror);
        var (y0, y1, fy) = Taps(oy, sy, height, source.Height, mirror);
        var src = source.Rgb;
        var stride = source.Width * 3;
        for (var y = 0; y < height; y++)
        {
            var (rowA, rowB, wy) = (y0[y] * stride, y1[y] * stride, fy[y]);
            for (var x = 0; x < width; x++)
            {
                var (a, b, wx) = (x0[x] * 3, x1[x] * 3, fx[x]);
                var o = (y * width + x) * 3;
                for (var c = 0; c < 3; c++)
                {
                    var top = src[rowA + a + c] + (src[rowA + b + c] - src[rowA + a + c]) * wx;
                    var bottom = src[rowB + a + c] + (src[rowB + b + c] - src[rowB + a + c]) * wx;
                    rgb[o + c] = (byte)(top + (bottom - top) * wy + 0.5f);
                }
            }
        }
    }

    private static (int[] A, int[] B, float[] F) Taps(double origin, double step, int count, int size, bool mirror)
    {
        var (a, b, f) = (new int[count], new int[count], new float[count]);
        for (var i = 0; i < count; i++)
        {
            var p = origin + i * step;
            var p0 = (int)Math.Floor(p);
            (a[i], b[i]) = Index(p0, size, mirror);
            f[i] = (float)(p - p0);
        }
        return (a, b, f);
    }

    // Textures tile mirrored: they are not seamless, and a plain wrap shows their edges as lines.
    private static (int A, int B) Index(int i, int size, bool wrap) => wrap
        ? (Mirror(i, size), Mirror(i + 1, size))
        : (Math.Clamp(i, 0, size - 1), Math.Clamp(i + 1, 0, size - 1));

    private static int Mirror(int i, int size)
    {
        var m = ((i % (2 * size)) + 2 * size) % (2 * size);
        return m < size ? m : 2 * size - 1 - m;
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);

    private static byte ToByte(float v) => (byte)Math.Clamp(v + 0.5f, 0, 255);

    /// <summary>Smooth value noise in [0, 1]: random values on a coarse grid, smoothstep-interpolated.</summary>
    private sealed class ValueNoise
    {
        private readonly double[] _grid;
        private readonly int _columns;
        private readonly double _cell;

        public ValueNoise(Random rng, int width, int height, int cell)
        {
            _cell = cell;
            _columns = width / cell + 2;
            _grid = new double[_columns * (height / cell + 2)];
            for (var i = 0; i < _grid.Length; i++)
            {
                _grid[i] = rng.NextDouble();
            }
        }

        public double At(int x, int y)
        {
            var (gx, gy) = (x / _cell, y / _cell);
            var (ix, iy) = ((int)gx, (int)gy);
            var (fx, fy) = (Smooth(gx - ix), Smooth(gy - iy));
            var top = _grid[iy * _columns + ix] * (1 - fx) + _grid[iy * _columns + ix + 1] * fx;
            var bottom = _grid[(iy + 1) * _columns + ix] * (1 - fx) + _grid[(iy + 1) * _columns + ix + 1] * fx;
            return top * (1 - fy) + bottom * fy;
        }

        private static double Smooth(double t) => t * t * (3 - 2 * t);
    }
}
