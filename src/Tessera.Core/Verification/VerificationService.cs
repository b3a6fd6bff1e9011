using System.Data.Common;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;

namespace Tessera.Core.Verification;

/// <summary>
/// The query side: is this presented token usable right now? A malformed value is refused before any
/// lookup; a known token is decided from memory, its state evaluated against the current time on every
/// call; the store is read only for a hash memory does not hold, or when memory is no longer trusted
/// because the change feed has not been read for a while.
/// </summary>
public sealed class VerificationService(ITokenStore store, KnownTokens known, VerificationMetrics metrics, TimeProvider time)
{
    public ValueTask<Verification> VerifyAsync(string? authorization, CancellationToken cancellationToken)
    {
        var started = metrics.Start();
        var presented = Bearer.Credential(authorization);
        if (presented.IsEmpty)
        {
            return new(Done(VerificationOutcome.Missing, default, started, fromMemory: true));
        }
        if (!SecretFormat.TryHash(presented, SecretKind.QueryToken, out var hash))
        {
            return new(Done(VerificationOutcome.Malformed, default, started, fromMemory: true));
        }
        var tick = Environment.TickCount64;
        if (known.IsTrusted(tick))
        {
            if (known.TryGet(hash, out var token))
            {
                return new(Decide(token, started, fromMemory: true));
            }
            if (known.IsKnownUnknown(hash, tick))
            {
                return new(Done(VerificationOutcome.Unknown, default, started, fromMemory: true));
            }
        }
        return FillAsync(hash, started, cancellationToken);
    }

    private async ValueTask<Verification> FillAsync(SecretHash hash, long started, CancellationToken cancellationToken)
    {
        var generation = known.GenerationOf(hash);
        TokenMatch? match;
        try
        {
            match = await store.FindTokenAsync(hash, cancellationToken);
        }
        catch (Exception e) when (e is DbException or TimeoutException)
        {
            metrics.DatabaseError();
            // Fail closed, except for a token remembered as usable within the configured grace.
            if (known.IsWithinGrace(Environment.TickCount64) && known.TryGet(hash, out var remembered) &&
                remembered.StateAt(Instants.Now(time)) == TokenState.Usable)
            {
                return Decide(remembered, started, fromMemory: true);
            }
            throw;
        }
        if (match is null)
        {
            known.RememberUnknown(hash, generation, Environment.TickCount64);
            return Done(VerificationOutcome.Unknown, default, started, fromMemory: false);
        }
        var token = match.Token;
        var workload = token.WorkloadId is null ? null : new WorkloadLabel(token.WorkloadId, match.WorkloadName ?? "");
        var entry = known.Remember(hash, new KnownToken(token.Id, token.Name, token.Status, token.ExpiresAt, workload), generation);
        return Decide(entry, started, fromMemory: false);
    }

    private Verification Decide(in KnownToken token, long started, bool fromMemory)
    {
        var now = Instants.Now(time);
        var outcome = token.StateAt(now) switch
        {
            TokenState.Usable => VerificationOutcome.Usable,
            TokenState.Cancelled => VerificationOutcome.Cancelled,
            TokenState.Expired => VerificationOutcome.Expired,
            _ => VerificationOutcome.Unassigned,
        };
        if (outcome == VerificationOutcome.Usable)
        {
            known.RecordUse(token, now.ToUnixTimeMilliseconds());
        }
        return Done(outcome, token, started, fromMemory);
    }

    private Verification Done(VerificationOutcome outcome, in KnownToken token, long started, bool fromMemory)
    {
        metrics.Verified(Verification.CodeOf(outcome), started, fromMemory);
        return new Verification(outcome, token);
    }
}
