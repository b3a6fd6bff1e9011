using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Cli;

/// <summary>
/// What <c>tessera login</c> stores: the server URL and the license key, in config.json under the
/// user's config directory, readable by the user only (0600 in a 0700 directory).
/// </summary>
public sealed record CliConfig(string Url, string LicenseKey)
{
    public const string FileName = "config.json";

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public static async Task<CliConfig?> LoadAsync(string directory, CancellationToken cancellationToken)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, CliJsonContext.Default.CliConfig, cancellationToken);
    }

    public async Task SaveAsync(string directory, CancellationToken cancellationToken)
    {
        const UnixFileMode userOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, userOnly | UnixFileMode.UserExecute);
        }
        var path = PathIn(directory);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created 0600 from the start, so the key is never readable by others, not even briefly.
            options.UnixCreateMode = userOnly;
        }
        await using (var stream = new FileStream(path, options))
        {
            await JsonSerializer.SerializeAsync(stream, this, CliJsonContext.Default.CliConfig, cancellationToken);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, userOnly); // a file left by an older login may have had other modes
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(CliConfig))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
