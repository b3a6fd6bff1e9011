using Tessera.Core.Secrets;
using Tessera.Core.Storage;

namespace Tessera.Core.Tokens;

/// <summary>
/// The query side: is this presented token usable right now? A malformed value is refused before any
/// storage is consulted; state is evaluated against the current time on every call.
/// </summary>
public sealed class VerificationService(ITokenStore store, TimeProvider time)
{
    public async Task<Verification> VerifyAsync(string? authorization, CancellationToken cancellationToken)
    {
        var presented = Bearer.From(authorization);
        if (presented is null)
        {
            return new Verification(VerificationOutcome.Missing, null, null);
        }
        if (!SecretFormat.IsWellFormed(presented, SecretKind.QueryToken))
        {
            return new Verification(VerificationOutcome.Malformed, null, null);
        }
        var match = await store.FindTokenAsync(SecretHash.Of(presented), cancellationToken);
        if (match is null)
        {
            return new Verification(VerificationOutcome.Unknown, null, null);
        }
        var now = Instants.Now(time);
        var outcome = match.Token.StateAt(now) switch
        {
            TokenState.Usable => VerificationOutcome.Usable,
            TokenState.Cancelled => VerificationOutcome.Cancelled,
            TokenState.Expired => VerificationOutcome.Expired,
            _ => VerificationOutcome.Unassigned,
        };
        if (outcome == VerificationOutcome.Usable)
        {
            await store.RecordUsageAsync(match.Token.Id, 1, now, cancellationToken);
        }
        return new Verification(outcome, match.Token, match.WorkloadName);
    }
}
