using System.Data.Common;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;

namespace Tessera.Core.Verification;

/// <summary>
/// The query side: is this presented token usable right now, and (for a gateway) bound to the workload it
/// guards? A malformed value is refused before any lookup; a known token is decided from memory, its state
/// evaluated against the current time on every call; the store is read only for a hash memory does not
/// hold, or when memory is no longer trusted because the change feed has not been read for a while. A store
/// read has its own short deadline, and while the store is known to be down (<see cref="StoreBreaker"/>)
/// the answer is 503 at once.
/// </summary>
public sealed class VerificationService(ITokenStore store, KnownTokens known, VerificationMetrics metrics, TimeProvider time,
    VerificationOptions options, StoreBreaker breaker)
{
    /// <summary>Whether the token is usable, whatever its workload (a query client's handshake).</summary>
    public ValueTask<Verification> VerifyAsync(string? authorization, CancellationToken cancellationToken) =>
        VerifyAsync(authorization, null, cancellationToken);

    /// <summary>
    /// Whether the token is usable and, when <paramref name="workloadId"/> is given, bound to that workload
    /// (<see cref="VerificationOutcome.WrongWorkload"/> otherwise, also for an id no workload has). The
    /// workload check comes last, after every 401 reason.
    /// </summary>
    public ValueTask<Verification> VerifyAsync(string? authorization, string? workloadId, CancellationToken cancellationToken)
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
        var now = time.GetTimestamp();
        if (known.IsTrusted(now))
        {
            if (known.TryGet(hash, out var token))
            {
                return new(Decide(token, workloadId, started, fromMemory: true));
            }
            if (known.IsKnownUnknown(hash, now))
            {
                return new(Done(VerificationOutcome.Unknown, default, started, fromMemory: true));
            }
        }
        return FillAsync(hash, workloadId, started, cancellationToken);
    }

    private async ValueTask<Verification> FillAsync(SecretHash hash, string? workloadId, long started, CancellationToken cancellationToken)
    {
        var generation = known.GenerationOf(hash);
        TokenMatch? match;
        try
        {
            if (!breaker.TryPass(time.GetTimestamp()))
            {
                throw new StoreUnavailableException("The token store is not answering; retry shortly.");
            }
            match = await ReadWithDeadlineAsync(hash, cancellationToken);
            breaker.Close();
        }
        catch (Exception e) when (e is DbException or TimeoutException)
        {
            if (e is not StoreUnavailableException)
            {
                metrics.DatabaseError();
                breaker.Trip(time.GetTimestamp());
            }
            // Fail closed, except for a token remembered as usable within the configured grace.
            if (known.IsWithinGrace(time.GetTimestamp()) && known.TryGet(hash, out var remembered) &&
                remembered.StateAt(Instants.Now(time)) == TokenState.Usable)
            {
                return Decide(remembered, workloadId, started, fromMemory: true);
            }
            throw e as StoreUnavailableException ?? new StoreUnavailableException("The token store did not answer; retry shortly.", e);
        }
        if (match is null)
        {
            known.RememberUnknown(hash, generation, time.GetTimestamp());
            return Done(VerificationOutcome.Unknown, default, started, fromMemory: false);
        }
        var entry = known.Remember(hash, KnownToken.From(match), generation);
        return Decide(entry, workloadId, started, fromMemory: false);
    }

    /// <summary>
    /// The store read, bounded by <see cref="VerificationOptions.StoreTimeout"/> however the driver reacts: a frozen
    /// PostgreSQL answers neither the query nor a cancel request, and cancelling would run the driver's cancel
    /// (a connection to that server) on the timer that must end the wait. So the read is not cancelled but
    /// abandoned; the driver's own command timeout ends it, and the breaker lets at most one such read start
    /// per <see cref="VerificationOptions.StoreBreak"/> while the store hangs.
    /// </summary>
    private async Task<TokenMatch?> ReadWithDeadlineAsync(SecretHash hash, CancellationToken cancellationToken)
    {
        // Started on the thread pool: the driver may block before its first await (opening a connection), and the
        // deadline must run from the start.
        var read = Task.Run(() => store.FindTokenAsync(hash, cancellationToken), cancellationToken);
        try
        {
            return await read.WaitAsync(options.StoreTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Observed, so its eventual failure is not an unobserved task exception.
            _ = read.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    private Verification Decide(in KnownToken token, string? workloadId, long started, bool fromMemory)
    {
        var now = Instants.Now(time);
        var outcome = OutcomeOf(token, workloadId, now);
        if (outcome == VerificationOutcome.Usable)
        {
            known.RecordUse(token, now.ToUnixTimeMilliseconds());
        }
        return Done(outcome, token, started, fromMemory);
    }

    /// <summary>
    /// The decision about a known token at <paramref name="now"/>: its state (cancelled, expired, unassigned, usable, first
    /// match wins), then, for a usable one, whether it is bound to <paramref name="workloadId"/> when one is named. The
    /// one rule of every door, on the server and in Tessera.Gateway's replica.
    /// </summary>
    public static VerificationOutcome OutcomeOf(in KnownToken token, string? workloadId, DateTimeOffset now)
    {
        var outcome = token.StateAt(now) switch
        {
            TokenState.Usable => VerificationOutcome.Usable,
            TokenState.Cancelled => VerificationOutcome.Cancelled,
            TokenState.Expired => VerificationOutcome.Expired,
            _ => VerificationOutcome.Unassigned,
        };
        if (outcome == VerificationOutcome.Usable && workloadId is not null && !string.Equals(token.Workload!.Id, workloadId, StringComparison.Ordinal))
        {
            outcome = VerificationOutcome.WrongWorkload;
        }
        return outcome;
    }

    private Verification Done(VerificationOutcome outcome, in KnownToken token, long started, bool fromMemory)
    {
        metrics.Verified(Verification.CodeOf(outcome), started, fromMemory);
        return new Verification(outcome, token);
    }
}
