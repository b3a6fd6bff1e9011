using Tessera.Core.Secrets;

namespace Tessera.Core.Tokens;

/// <summary>
/// One end user's credential for one workload. Guards its own transitions; the store only persists.
/// Every transition that changes something stamps <see cref="VersionedEntity.UpdatedAt"/> and marks the token for saving.
/// </summary>
public sealed class QueryToken : VersionedEntity
{
    private QueryToken(string id, string accountId, string name, string note, string? workloadId, TokenStatus status,
        SecretHash hash, string hint, DateTimeOffset createdAt, DateTimeOffset updatedAt, DateTimeOffset expiresAt,
        DateTimeOffset? lastUsedAt, long useCount, long version, TokenLeak? leak)
        : base(id, accountId, createdAt, updatedAt, version)
    {
        Name = name;
        Note = note;
        WorkloadId = workloadId;
        Status = status;
        Hash = hash;
        Hint = hint;
        ExpiresAt = expiresAt;
        LastUsedAt = lastUsedAt;
        UseCount = useCount;
        Leak = leak;
    }

    public string Name { get; private set; }

    public string Note { get; private set; }

    /// <summary>The workload it is bound to; null means unassigned.</summary>
    public string? WorkloadId { get; private set; }

    public TokenStatus Status { get; private set; }

    public SecretHash Hash { get; }

    public string Hint { get; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset? LastUsedAt { get; }

    public long UseCount { get; }

    /// <summary>The latest leak report about this token's secret, or null when none was made (issue 18).</summary>
    public TokenLeak? Leak { get; private set; }

    /// <summary>
    /// Issues a new token for <paramref name="secret"/>; it expires one lifetime from now, or at <paramref name="expiresAt"/>
    /// when the caller checked one against the lifetime (a bulk import's row).
    /// </summary>
    public static QueryToken Issue(string accountId, string name, string note, string? workloadId, string secret,
        DateTimeOffset now, TimeSpan lifetime, DateTimeOffset? expiresAt = null) =>
        new(Ids.New(Ids.Token, now), accountId, name, note, workloadId, TokenStatus.Active, SecretHash.Of(secret),
            SecretFormat.Hint(secret), now, now, expiresAt ?? now + lifetime, null, 0, 1, null);

    public static QueryToken Rehydrate(string id, string accountId, string name, string note, string? workloadId,
        TokenStatus status, SecretHash hash, string hint, DateTimeOffset createdAt, DateTimeOffset updatedAt,
        DateTimeOffset expiresAt, DateTimeOffset? lastUsedAt, long useCount, long version, TokenLeak? leak = null) =>
        new(id, accountId, name, note, workloadId, status, hash, hint, createdAt, updatedAt, expiresAt, lastUsedAt,
            useCount, version, leak);

    /// <summary>The derived state at <paramref name="now"/>; first match wins.</summary>
    public TokenState StateAt(DateTimeOffset now) => TokenStates.Of(Status, ExpiresAt, WorkloadId is not null, now);

    public void Rename(string name, DateTimeOffset now) => Change(Name, name, value => Name = value, now);

    public void SetNote(string note, DateTimeOffset now) => Change(Note, note, value => Note = value, now);

    public void Cancel(DateTimeOffset now) => SetStatus(TokenStatus.Cancelled, now);

    public void Reactivate(DateTimeOffset now) => SetStatus(TokenStatus.Active, now);

    public void SetStatus(TokenStatus status, DateTimeOffset now) => Change(Status, status, value => Status = value, now);

    /// <summary>
    /// Marks the secret as seen in public. A report of the place already marked (GitHub resends a report it
    /// had no answer to) changes nothing, so it is neither saved nor audited twice.
    /// </summary>
    public void MarkLeaked(TokenLeak leak, DateTimeOffset now)
    {
        if (!leak.SamePlaceAs(Leak))
        {
            Leak = leak;
            Touch(now);
        }
    }

    /// <summary>Binds the token to a workload (the caller has checked it belongs to the same account).</summary>
    public void AssignTo(string workloadId, DateTimeOffset now) => Change(WorkloadId, workloadId, value => WorkloadId = value, now);

    public void Unassign(DateTimeOffset now) => Change(WorkloadId, null, value => WorkloadId = value, now);

    /// <summary>Extends the token to one lifetime from now; a cancelled token must be reactivated first.</summary>
    public void Renew(DateTimeOffset now, TimeSpan lifetime)
    {
        if (Status == TokenStatus.Cancelled)
        {
            throw new TesseraException(ProblemKind.Conflict, ErrorCodes.TokenCancelled,
                "A cancelled token cannot be renewed; reactivate it first.");
        }
        ExpiresAt = now + lifetime;
        Touch(now);
    }

    /// <summary>Sets the expiry directly, to an instant in (now, now + lifetime].</summary>
    public void SetExpiry(DateTimeOffset expiresAt, DateTimeOffset now, TimeSpan lifetime)
    {
        if (expiresAt <= now || expiresAt > now + lifetime)
        {
            throw TesseraException.Invalid("expiresAt",
                $"Must be after now and at most {lifetime} from now ({(now + lifetime).UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}).");
        }
        Change(ExpiresAt, expiresAt, value => ExpiresAt = value, now);
    }
}
