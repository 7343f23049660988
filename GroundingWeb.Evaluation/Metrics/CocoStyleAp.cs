namespace GroundingWeb.Evaluation.Metrics;

/// <summary>
/// The "mAP@t" the reference reports: torchmetrics <c>MeanAveragePrecision</c> (pycocotools
/// <c>COCOeval.accumulate</c>) when every sample is its own image with one ground-truth box and
/// one predicted box, all predictions scored alike and of one class. It is not an accuracy: with
/// hits spread evenly it comes out near Acc@t squared.
/// </summary>
public static class CocoStyleAp
{
    private const int RecallPoints = 101;

    // np.spacing(1), which pycocotools adds to the precision denominator.
    private const double PrecisionEps = 2.220446049250313e-16;

    /// <summary>
    /// AP at IoU <paramref name="threshold"/> over samples in the given order; 0 when empty
    /// (torchmetrics would report -1 for no ground truth).
    /// </summary>
    /// <remarks>
    /// Equal scores under pycocotools' stable mergesort keep sample order, so detection i is
    /// sample i. Detection i is a true positive when its IoU &gt;= min(threshold, 1 - 1e-10).
    /// recall_i = TP_i / N, precision_i = TP_i / (i + 1 + eps), precision made non-increasing from
    /// the right; each recall point r_k = k * 0.01 takes the precision at the first i with
    /// recall_i &gt;= r_k (searchsorted left), or 0 when there is none; AP is the mean of the 101.
    /// </remarks>
    public static double Compute(ReadOnlySpan<float> ious, float threshold)
    {
        if (float.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The IoU threshold must be a number, e.g. 0.5.");
        }

        var count = ious.Length;
        if (count == 0)
        {
            return 0d;
        }

        var matchThreshold = Math.Min((double)threshold, 1d - 1e-10);

        // Forward pass: for each recall point, the first detection index whose recall reaches it
        // (recall only grows, so one pointer walks the points). -1 means past the end.
        Span<int> firstIndex = stackalloc int[RecallPoints];
        firstIndex.Fill(-1);
        var point = 0;
        var truePositives = 0;
        for (var i = 0; i < count; i++)
        {
            if (GroundingMetrics.Checked(ious, i) >= matchThreshold)
            {
                truePositives++;
            }

            var recall = (double)truePositives / count;
            while (point < RecallPoints && RecallThreshold(point) <= recall)
            {
                firstIndex[point++] = i;
            }
        }

        // Backward pass: the right-to-left running maximum of precision is pycocotools'
        // monotone envelope; read it off at each recall point's index.
        var sum = 0d;
        var envelope = 0d;
        var tpAtOrBefore = truePositives;
        point = RecallPoints - 1;
        while (point >= 0 && firstIndex[point] < 0)
        {
            point--;
        }

        for (var i = count - 1; i >= 0 && point >= 0; i--)
        {
            var precision = tpAtOrBefore / (i + 1 + PrecisionEps);
            envelope = Math.Max(envelope, precision);
            while (point >= 0 && firstIndex[point] == i)
            {
                sum += envelope;
                point--;
            }

            if (ious[i] >= matchThreshold)
            {
                tpAtOrBefore--;
            }
        }

        return sum / RecallPoints;
    }

    // numpy.linspace(0, 1, 101) computes k * 0.01, so e.g. point 35 is 0.35000000000000003,
    // which a recall of exactly 35/100 does not reach; keep that arithmetic.
    private static double RecallThreshold(int point) => point == RecallPoints - 1 ? 1d : point * 0.01;
}
