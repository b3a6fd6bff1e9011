using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;

namespace Tessera.Server.WebConsole;

/// <summary>
/// Makes "Generate" idempotent: each creation form carries a random draft id, and the token issued
/// for it is remembered for an hour, so a resubmitted form (reload, back button) leads to the review
/// of the token already issued instead of issuing a second one or showing the secret again.
/// </summary>
public sealed class TokenDrafts(IMemoryCache cache)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public static string NewDraftId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsWellFormed(string? draftId) =>
        draftId is { Length: 32 } && draftId.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));

    public string? IssuedFor(string accountId, string draftId) =>
        cache.TryGetValue(Key(accountId, draftId), out string? tokenId) ? tokenId : null;

    public void Remember(string accountId, string draftId, string tokenId) =>
        cache.Set(Key(accountId, draftId), tokenId, Lifetime);

    private static string Key(string accountId, string draftId) => $"tessera:draft:{accountId}:{draftId}";
}
