namespace GroundingWeb.Features.Ground;

/// <summary>How the overlay draws a box: a found phrase's box is shown; a "not in this image" one is hidden, or dimmed when asked for.</summary>
public enum BoxStyle
{
    Shown,
    Dimmed,
    Hidden,
}
