namespace GroundingWeb.Tests.Training;

/// <summary>
/// The tests that train in this process, one after another: Trainer sets libtorch's process-wide thread
/// count, and another test setting it mid-run changed the order of float sums, so a resumed run no
/// longer repeated the uninterrupted one to five decimals.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TorchThreadsCollection
{
    public const string Name = "torch-threads";
}
