using GroundingWeb.Evaluation.RefShapes;

namespace GroundingWeb.Tests.Datasets.RefShapes;

/// <summary>Hand-built scenes for resolver tests: 300x300, objects placed by their centre.</summary>
internal static class SceneBuilder
{
    public static SceneObject Obj(ShapeKind shape, ShapeColor color, double x, double y, double extent = 40) =>
        new(shape, color, extent >= 60 ? SizeClass.Large : SizeClass.Small, x, y, extent);

    public static Scene Scene(params SceneObject[] objects) => new(300, 300, objects);

    public static Resolution Resolve(Scene scene, ReferringExpression expression) => ExpressionResolver.Resolve(scene, expression);
}
