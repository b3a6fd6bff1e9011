namespace Tessera.Core.Verification;

/// <summary>How the query side remembers tokens (configuration section Tessera:Verification).</summary>
public sealed class VerificationOptions
{
    /// <summary>How often every server reads the token change feed: the bound on cross-server propagation.</summary>
    public TimeSpan FeedInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// On PostgreSQL, also LISTEN for the change feed's NOTIFY and read it as soon as one arrives (ADR 0016), so a change
    /// propagates in milliseconds; <see cref="FeedInterval"/> stays the fallback. SQLite has no push: it polls.
    /// </summary>
    public bool Push { get; set; } = true;

    /// <summary>
    /// How long memory is trusted after the last successful read of the change feed. Past it,
    /// verification reads the store again (fail closed when the store is unreachable).
    /// </summary>
    public TimeSpan TrustWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// While the store is unreachable, a token remembered as usable keeps passing for this long past
    /// <see cref="TrustWindow"/>; zero (the default) fails closed as soon as memory is no longer trusted.
    /// </summary>
    public TimeSpan OfflineGrace { get; set; } = TimeSpan.Zero;

    /// <summary>How long a hash the store does not know is answered from memory.</summary>
    public TimeSpan UnknownTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most unknown hashes remembered; past it, unknown values go to the store again.</summary>
    public int MaxUnknown { get; set; } = 100_000;

    /// <summary>How often accumulated uses are written to the store (and once more on shutdown).</summary>
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most tokens' uses one store write carries; a flush of more is several writes, so a million
    /// tokens used in one interval never hold the writer (and the cancels queued behind it) in one statement run.
    /// </summary>
    public int UsageFlushBatch { get; set; } = 1_000;

    /// <summary>
    /// Lets <c>GET /v1/auth</c> pass a usable token of any workload when the gateway names none. Unsafe: a
    /// token issued for one workload then opens every gateway that forgets to say which door it guards.
    /// </summary>
    public bool AllowAnyWorkload { get; set; }

    /// <summary>
    /// The query side's own deadline on one store read (a token memory does not hold): past it the
    /// verification answers 503, well before a gateway's own timeout, and <see cref="StoreBreak"/> begins. A
    /// healthy store answers in about a millisecond; 750 ms leaves a busy machine's scheduling delays room
    /// within the 1.5 s the query side promises while the database hangs.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromMilliseconds(750);

    /// <summary>How long the query side answers 503 at once after a store read failed, before it tries again.</summary>
    public TimeSpan StoreBreak { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a token stays remembered without being read from the store again: a bound on how stale
    /// memory can be whatever happens to the change feed. Entries past it are re-read in the background.
    /// </summary>
    public TimeSpan MaxEntryAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the change follower waits for a missing feed position (a transaction still open, or one that
    /// rolled back) before it reads past it; it keeps looking for that position afterwards (ADR 0007).
    /// </summary>
    public TimeSpan GapTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
