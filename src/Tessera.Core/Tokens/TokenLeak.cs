namespace Tessera.Core.Tokens;

/// <summary>
/// The marker a leak report leaves on a token: when it was reported, where the secret was seen (a URL,
/// or null when the reporter gave none) and what kind of place that was (GitHub's <c>source</c>, e.g.
/// <c>content</c> or <c>commit</c>). Never the secret. Only the latest report is kept here; the audit
/// trail has every one.
/// </summary>
public sealed record TokenLeak(DateTimeOffset At, string? Url, string? Source)
{
    /// <summary>True when <paramref name="other"/> names the same place: a resent report, not a new one.</summary>
    public bool SamePlaceAs(TokenLeak? other) => other is not null && other.Url == Url && other.Source == Source;
}
