namespace GroundingWeb.Evaluation.Datasets;

/// <summary>
/// The 80 COCO category names by id: the parquet layout carries only category_id, while the refer
/// layout's instances.json names its categories itself.
/// </summary>
internal static class CocoCategories
{
    private static readonly string[] Names =
    [
        "", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "", "backpack", "umbrella", "", "",
        "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove",
        "skateboard", "surfboard", "tennis racket", "bottle", "", "wine glass", "cup", "fork", "knife", "spoon",
        "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut",
        "cake", "chair", "couch", "potted plant", "bed", "", "dining table", "", "", "toilet",
        "", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster",
        "sink", "refrigerator", "", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    ];

    public static string? Name(long? id) =>
        id is >= 0 and < 91 && Names[(int)id.Value].Length > 0 ? Names[(int)id.Value] : null;
}
