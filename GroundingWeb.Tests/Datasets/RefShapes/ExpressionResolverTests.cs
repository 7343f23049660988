using GroundingWeb.Evaluation.RefShapes;
using static GroundingWeb.Evaluation.RefShapes.ShapeColor;
using static GroundingWeb.Evaluation.RefShapes.ShapeKind;
using static GroundingWeb.Tests.Datasets.RefShapes.SceneBuilder;

namespace GroundingWeb.Tests.Datasets.RefShapes;

public sealed class ExpressionResolverTests
{
    [Fact]
    public void AttributesMatchEveryObjectWithThemAndOnlyThose()
    {
        var scene = Scene(Obj(Circle, Red, 50, 50), Obj(Circle, Blue, 150, 50), Obj(Square, Red, 250, 50, extent: 80));

        Assert.Equal([0], Resolve(scene, new AttributeExpression(new ObjectFilter(Circle, Red))).Matches);
        Assert.Equal([0, 2], Resolve(scene, new AttributeExpression(new ObjectFilter(Color: Red))).Matches);
        Assert.Equal([2], Resolve(scene, new AttributeExpression(new ObjectFilter(Size: SizeClass.Large))).Matches);
        Assert.True(Resolve(scene, new AttributeExpression(new ObjectFilter(Square))).Selects(2));
    }

    [Fact]
    public void TwinsCannotBeToldApartByAttributes()
    {
        var scene = Scene(Obj(Circle, Red, 50, 50), Obj(Circle, Red, 250, 250));

        var resolution = Resolve(scene, new AttributeExpression(new ObjectFilter(Circle, Red, SizeClass.Small)));

        Assert.Equal([0, 1], resolution.Matches);
        Assert.False(resolution.Selects(0));
        Assert.Empty(ExpressionGenerator.Candidates(scene, 0, ExpressionKind.Attribute));
    }

    [Theory]
    [InlineData("Left", 50, 150, true)]
    [InlineData("Left", 95, 150, false)]   // 0.317 of the width: inside the tolerance band around 1/3
    [InlineData("Right", 250, 150, true)]
    [InlineData("Top", 150, 40, true)]
    [InlineData("Bottom", 150, 260, true)]
    [InlineData("TopLeft", 50, 50, true)]
    [InlineData("TopLeft", 50, 150, false)]
    [InlineData("BottomRight", 250, 250, true)]
    [InlineData("Middle", 150, 150, true)]
    [InlineData("Middle", 150, 60, false)]
    public void RegionsAreThirdsWithATolerance(string region, double x, double y, bool selected)
    {
        var scene = Scene(Obj(Circle, Red, x, y));
        var expression = new PositionExpression(ObjectFilter.Any, Enum.Parse<Region>(region));

        Assert.Equal(selected, Resolve(scene, expression).Selects(0));
    }

    [Fact]
    public void PositionIsRefusedWhenTwoObjectsShareTheRegion()
    {
        var scene = Scene(Obj(Circle, Red, 40, 60), Obj(Star, Blue, 50, 220), Obj(Square, Green, 250, 150));

        Assert.Equal([0, 1], Resolve(scene, new PositionExpression(ObjectFilter.Any, Region.Left)).Matches);
        Assert.True(Resolve(scene, new PositionExpression(new ObjectFilter(Circle), Region.Left)).Selects(0));
        Assert.True(Resolve(scene, new PositionExpression(ObjectFilter.Any, Region.TopLeft)).Selects(0));
    }

    [Fact]
    public void LeftOfComparesCentresWithAMargin()
    {
        var scene = Scene(Obj(Circle, Red, 60, 100), Obj(Square, Green, 150, 150), Obj(Circle, Blue, 240, 60));
        var leftOf = new RelationExpression(new ObjectFilter(Circle), Relation.LeftOf, new ObjectFilter(Square));

        Assert.True(Resolve(scene, leftOf).Selects(0));
        Assert.True(Resolve(scene, leftOf with { Relation = Relation.RightOf }).Selects(2));
        Assert.True(Resolve(scene, leftOf with { Relation = Relation.Above }).Matches.SequenceEqual([0, 2]));
        Assert.Empty(Resolve(scene, leftOf with { Relation = Relation.Below }).Matches);
    }

    [Fact]
    public void RelationNearTheReferenceIsUnclear()
    {
        // 10 px of 300 is less than the 6% margin: neither clearly left nor clearly not.
        var scene = Scene(Obj(Circle, Red, 140, 50), Obj(Square, Green, 150, 150), Obj(Circle, Blue, 260, 250));
        var resolution = Resolve(scene, new RelationExpression(new ObjectFilter(Circle), Relation.LeftOf, new ObjectFilter(Square)));

        Assert.Empty(resolution.Matches);
        Assert.Equal([0], resolution.Unclear);
    }

    [Fact]
    public void AmbiguousReferenceMatchesNothing()
    {
        var scene = Scene(Obj(Circle, Red, 50, 150), Obj(Square, Green, 150, 150), Obj(Square, Green, 250, 250));

        var resolution = Resolve(scene, new RelationExpression(ObjectFilter.Any, Relation.LeftOf, new ObjectFilter(Square, Green)));

        Assert.Empty(resolution.Matches);
        Assert.False(resolution.Selects(0));
    }

    [Fact]
    public void TheReferenceIsNeverItsOwnSubject()
    {
        var scene = Scene(Obj(Square, Green, 50, 150), Obj(Square, Blue, 250, 150));

        var resolution = Resolve(scene, new RelationExpression(new ObjectFilter(Square), Relation.NextTo, new ObjectFilter(Color: Green)));

        Assert.True(resolution.Selects(1));
    }

    [Theory]
    [InlineData(100, 250, true)]   // 50 px against 150 px: clearly nearest
    [InlineData(150, 92, false)]   // 50 px against 58 px: too close to call
    public void NextToIsTheClearlyNearestObject(double secondX, double secondY, bool selected)
    {
        var scene = Scene(Obj(Circle, Red, 150, 150), Obj(Star, Blue, 200, 150), Obj(Star, Yellow, secondX, secondY));

        var resolution = Resolve(scene, new RelationExpression(new ObjectFilter(Star), Relation.NextTo, new ObjectFilter(Circle)));

        Assert.Equal(selected, resolution.Selects(1));
        Assert.Equal(!selected, resolution.Unclear.Contains(2));
    }

    [Theory]
    [InlineData("FromLeft", 1, 0)]
    [InlineData("FromLeft", 2, 1)]
    [InlineData("FromLeft", 3, 2)]
    [InlineData("FromRight", 1, 2)]
    [InlineData("FromRight", 2, 1)]
    [InlineData("FromTop", 1, 2)]
    [InlineData("FromBottom", 1, 0)]
    public void OrdinalsCountAmongTheFilteredObjects(string direction, int index, int expected)
    {
        var scene = Scene(Obj(Circle, Red, 40, 250), Obj(Circle, Blue, 150, 150), Obj(Circle, Green, 260, 40), Obj(Square, Red, 100, 40));

        Assert.True(Resolve(scene, new OrdinalExpression(new ObjectFilter(Circle), Enum.Parse<Direction>(direction), index)).Selects(expected));
    }

    [Fact]
    public void OrdinalWithNeighboursTooCloseOrPastTheCountIsRefused()
    {
        var scene = Scene(Obj(Circle, Red, 40, 250), Obj(Circle, Blue, 150, 150), Obj(Circle, Green, 160, 40));

        var second = Resolve(scene, new OrdinalExpression(new ObjectFilter(Circle), Direction.FromLeft, 2));
        var fourth = Resolve(scene, new OrdinalExpression(new ObjectFilter(Circle), Direction.FromLeft, 4));

        Assert.Empty(second.Matches);
        Assert.Equal([1, 2], second.Unclear);
        Assert.Empty(fourth.Matches);
        Assert.True(Resolve(scene, new OrdinalExpression(new ObjectFilter(Circle), Direction.FromLeft, 1)).Selects(0));
    }

    [Fact]
    public void SuperlativesNeedAClearWinner()
    {
        var scene = Scene(Obj(Circle, Red, 50, 50, extent: 40), Obj(Square, Red, 150, 250, extent: 90), Obj(Star, Blue, 250, 200, extent: 80));

        Assert.False(Resolve(scene, new SuperlativeExpression(ObjectFilter.Any, Extreme.Biggest)).Selects(1)); // 90 vs 80
        Assert.True(Resolve(scene, new SuperlativeExpression(new ObjectFilter(Color: Red), Extreme.Biggest)).Selects(1));
        Assert.True(Resolve(scene, new SuperlativeExpression(ObjectFilter.Any, Extreme.Smallest)).Selects(0));
        Assert.True(Resolve(scene, new SuperlativeExpression(new ObjectFilter(Color: Red), Extreme.Lowest)).Selects(1));
        Assert.True(Resolve(scene, new SuperlativeExpression(ObjectFilter.Any, Extreme.Leftmost)).Selects(0));
        Assert.True(Resolve(scene, new SuperlativeExpression(ObjectFilter.Any, Extreme.Rightmost)).Selects(2));
        Assert.True(Resolve(scene, new SuperlativeExpression(ObjectFilter.Any, Extreme.Topmost)).Selects(0));
    }

    [Fact]
    public void SuperlativeWithATieIsRefused()
    {
        var scene = Scene(Obj(Circle, Red, 50, 200), Obj(Circle, Blue, 250, 205), Obj(Circle, Green, 150, 50));

        var resolution = Resolve(scene, new SuperlativeExpression(new ObjectFilter(Circle), Extreme.Lowest));

        Assert.Empty(resolution.Matches);
        Assert.Equal([0, 1], resolution.Unclear);
    }
}
