using Tessera.Core;
using Tessera.Core.Leaks;

namespace Tessera.Server.Leaks;

/// <summary>The configuration section "Tessera:Leaks" (issue 18, ADR 0013).</summary>
public sealed class LeakSettings
{
    public const string GitHubDefaultKeysUrl = "https://api.github.com/meta/public_keys/secret_scanning";

    /// <summary>Where GitHub publishes the keys that sign its secret scanning reports; empty turns POST /v1/leaks/github off (404).</summary>
    public string GitHubKeysUrl { get; set; } = GitHubDefaultKeysUrl;

    /// <summary><c>cancel</c> (default): a reported stored token is cancelled; <c>report</c>: only marked and recorded.</summary>
    public string Action { get; set; } = "cancel";

    /// <summary>
    /// The least time between two fetches of the key list. An unknown key id asks for a fetch; a stream of made-up
    /// ids gets one fetch per interval at most (GitHub allows 60 unauthenticated calls an hour per address).
    /// </summary>
    public TimeSpan KeysRefetchInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a fetched key list is trusted before the next report fetches it again (a withdrawn key stops working).</summary>
    public TimeSpan KeysMaxAge { get; set; } = TimeSpan.FromHours(24);

    public bool GitHubEnabled => !string.IsNullOrWhiteSpace(GitHubKeysUrl);

    public LeakAction ParsedAction => LeakNames.TryParseAction(Action, out var action)
        ? action
        : throw new TesseraConfigurationException("Tessera:Leaks:Action must be 'cancel' or 'report'.");

    public void Validate()
    {
        _ = ParsedAction;
        if (GitHubEnabled && !(Uri.TryCreate(GitHubKeysUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            throw new TesseraConfigurationException("Tessera:Leaks:GitHubKeysUrl must be an absolute http(s) URL, or empty to turn the GitHub endpoint off.");
        }
        if (KeysRefetchInterval < TimeSpan.Zero || KeysMaxAge <= TimeSpan.Zero)
        {
            throw new TesseraConfigurationException("Tessera:Leaks: KeysRefetchInterval must not be negative and KeysMaxAge must be positive, e.g. 00:02:00 and 1.00:00:00.");
        }
    }
}
