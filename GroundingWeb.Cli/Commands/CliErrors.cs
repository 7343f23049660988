using GroundingWeb.Inference.Bundles;
using GroundingWeb.Inference.Imaging;
using GroundingWeb.Inference.Pipeline;

namespace GroundingWeb.Cli.Commands;

/// <summary>Turns the errors a user can cause into one clear line on stderr and a non-zero exit code.</summary>
internal static class CliErrors
{
    public const int UserError = 2;

    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is BundleException or ImageDecodeException or GroundingInputException
                                       or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
                                       or InvalidDataException or ArgumentException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"error: {ex.Message.ReplaceLineEndings(" ")}");
            return UserError;
        }
    }

    public static byte[] ReadInputFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} '{path}' does not exist.");
        }
        return File.ReadAllBytes(path);
    }
}
