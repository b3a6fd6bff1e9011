using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Validation;

namespace Tessera.Core.Leaks;

/// <summary>
/// Leak response (API.md §11): a string reported as seen in public is checked offline first (prefix, length,
/// CRC-32: a look-alike never reaches the store), then looked up by its hash across every account. A stored
/// token is marked leaked and, with <see cref="LeakAction.Cancel"/>, cancelled, through the tokens' one
/// conflict path, with the <c>token.leaked</c> entry written in the change's transaction.
/// </summary>
public sealed class LeakService(ITokenStore store, TokenService tokens, LeakOptions options)
{
    /// <summary>Longest <c>url</c> kept (browsers' practical limit); longer ones are refused or, from GitHub, dropped.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Longest <c>source</c> kept (GitHub's are short words such as <c>content</c> or <c>commit</c>).</summary>
    public const int MaxSourceLength = 100;

    public LeakAction Action => options.Action;

    /// <summary>Handles one report; <paramref name="url"/> and <paramref name="source"/> are already checked (<see cref="CheckPlace"/>).</summary>
    public async Task<LeakLabel> ReportAsync(string? secret, string? url, string? source, LeakReporter reporter, CancellationToken cancellationToken)
    {
        if (!SecretFormat.TryHash(secret, SecretKind.QueryToken, out var hash))
        {
            return LeakLabel.FalsePositive;
        }
        var match = await store.FindTokenAsync(hash, cancellationToken);
        if (match is null)
        {
            return LeakLabel.FalsePositive;
        }
        try
        {
            await tokens.ChangeAsync(match.Token.AccountId, match.Token.Id, ifMatch: null, (token, now) =>
            {
                var status = token.Status;
                token.MarkLeaked(new TokenLeak(now, url, source), now);
                if (!token.HasChanges)
                {
                    return [];
                }
                if (options.Action == LeakAction.Cancel)
                {
                    token.Cancel(now);
                }
                return TokenAudit.Leaked(reporter, status, token, options.Action);
            }, cancellationToken);
        }
        catch (TesseraException e) when (e.Code == ErrorCodes.TokenNotFound)
        {
            // Deleted between the lookup and the change: nothing stored answers to it any more.
            return LeakLabel.FalsePositive;
        }
        return LeakLabel.TruePositive;
    }

    /// <summary>
    /// The url and source a provider's scanner may send: an absolute http(s) URL (the console renders it as a
    /// link, so no other scheme) and a short word without control characters; both optional.
    /// </summary>
    public static void CheckPlace(string? url, string? source, ValidationErrors errors)
    {
        if (url is not null && !IsLinkable(url))
        {
            errors.Add("url", $"Must be an absolute http or https URL of at most {MaxUrlLength} characters.");
        }
        if (source is not null && !IsShortWord(source))
        {
            errors.Add("source", $"Must be 1 to {MaxSourceLength} characters without control characters.");
        }
    }

    /// <summary>GitHub's fields as kept: a url that is not a linkable URL, or an over-long source, is dropped rather than refused.</summary>
    public static (string? Url, string? Source) Sanitize(string? url, string? source) =>
        (url is not null && IsLinkable(url) ? url : null, source is not null && IsShortWord(source) ? source : null);

    private static bool IsShortWord(string source) => source.Length is > 0 and <= MaxSourceLength && !source.Any(char.IsControl);

    private static bool IsLinkable(string url) =>
        url.Length <= MaxUrlLength &&
        Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
        !url.Any(char.IsControl);
}
