namespace Tessera.Core.Tokens;

/// <summary>How long a token lives from issue or renewal (configuration key Tessera:Tokens:Lifetime).</summary>
public sealed record TokenPolicy(TimeSpan Lifetime)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);
}
