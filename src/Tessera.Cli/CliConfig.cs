using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Cli;

/// <summary>
/// What <c>tessera login</c> stores, in config.json under the user's config directory, readable by the
/// user only (0600 in a 0700 directory): each server's license key under that server's URL, and the
/// server commands go to by default. A key belongs to the server it was checked against and is sent to
/// no other: a command aimed elsewhere (<c>--url</c>, <c>TESSERA_URL</c>) finds no key here.
/// </summary>
public sealed class CliConfig
{
    public const string FileName = "config.json";

    /// <summary>The server commands go to when neither <c>--url</c> nor <c>TESSERA_URL</c> names one: the last one logged in to.</summary>
    public string? Url { get; init; }

    /// <summary>
    /// Only in files written before keys were kept per server (<c>{url, licenseKey}</c>): that key belongs to
    /// <see cref="Url"/>. Read and moved into <see cref="LicenseKeys"/>; never written again.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LicenseKey { get; init; }

    /// <summary>License keys by server, keyed by <see cref="ServerKey"/>.</summary>
    public Dictionary<string, string> LicenseKeys { get; init; } = [];

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>
    /// One spelling per server, so the comparison does not depend on how the URL was typed: scheme and host
    /// lower-cased (as <see cref="Uri"/> does), the scheme's default port left out whether written or not,
    /// the path without trailing slashes; user info, query and fragment ignored. Host names are not resolved:
    /// <c>localhost</c> and <c>127.0.0.1</c> are two servers.
    /// </summary>
    public static string ServerKey(Uri url)
    {
        var server = url.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        var path = url.GetComponents(UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');
        return path.Length == 0 ? server + "/" : $"{server}/{path}/";
    }

    /// <summary>The key saved for <paramref name="url"/>'s server, or null.</summary>
    public string? KeyFor(Uri url) => LicenseKeys.GetValueOrDefault(ServerKey(url));

    /// <summary>After a successful login: <paramref name="url"/>'s key replaced, the others kept, and it the default server.</summary>
    public CliConfig WithLogin(Uri url, string licenseKey) => new()
    {
        Url = url.ToString(),
        LicenseKeys = new Dictionary<string, string>(LicenseKeys) { [ServerKey(url)] = licenseKey },
    };

    /// <summary>After a logout: <paramref name="url"/>'s key forgotten, the others kept; no default server if it was the default.</summary>
    public CliConfig WithLogout(Uri url)
    {
        var keys = new Dictionary<string, string>(LicenseKeys);
        keys.Remove(ServerKey(url));
        var wasDefault = Url is { } saved && Uri.TryCreate(saved, UriKind.Absolute, out var savedUrl) && ServerKey(savedUrl) == ServerKey(url);
        return new CliConfig { Url = wasDefault ? null : Url, LicenseKeys = keys };
    }

    public static async Task<CliConfig?> LoadAsync(string directory, CancellationToken cancellationToken)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }
        CliConfig? stored;
        await using (var stream = File.OpenRead(path))
        {
            stored = await JsonSerializer.DeserializeAsync(stream, CliJsonContext.Default.CliConfig, cancellationToken);
        }
        // An init-only property missing from the file comes back null whatever its initializer says.
        var keys = stored?.LicenseKeys is { } saved ? new Dictionary<string, string>(saved) : [];
        if (stored is { LicenseKey: { Length: > 0 } legacyKey, Url: { } legacyUrl } && Uri.TryCreate(legacyUrl, UriKind.Absolute, out var url))
        {
            // A file from before per-server keys: its one key was checked against its one URL, so it stays that server's.
            keys.TryAdd(ServerKey(url), legacyKey);
        }
        return new CliConfig { Url = stored?.Url, LicenseKeys = keys };
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
[JsonSerializable(typeof(WhoAmI))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>What <c>tessera whoami --json</c> writes: the server, its account, and which key (by hint) from where.</summary>
public sealed record WhoAmI(string Url, Contracts.AccountResponse Account, string KeyHint, string KeySource);
