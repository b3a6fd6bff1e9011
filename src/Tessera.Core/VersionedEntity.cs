namespace Tessera.Core;

/// <summary>
/// An object of one account saved with an optimistic version check (query tokens, workloads): its transitions stamp
/// <see cref="UpdatedAt"/> and mark it for saving through <see cref="Touch"/>; the use case saves it through
/// <see cref="Storage.ConflictPath{TRow}"/> and calls <see cref="MarkSaved"/> once the store has. One place for what
/// every such object shares, so the rule (a change moves the version by one, on save) is written once.
/// </summary>
public abstract class VersionedEntity(string id, string accountId, DateTimeOffset createdAt, DateTimeOffset updatedAt, long version)
{
    public string Id { get; } = id;

    public string AccountId { get; } = accountId;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; private set; } = updatedAt;

    /// <summary>Optimistic-concurrency counter; also the ETag.</summary>
    public long Version { get; private set; } = version;

    /// <summary>True when a transition changed something that must be saved.</summary>
    public bool HasChanges { get; private set; }

    /// <summary>Called by the use case once the store has saved the changes.</summary>
    public void MarkSaved()
    {
        if (HasChanges)
        {
            Version++;
            HasChanges = false;
        }
    }

    /// <summary>A transition of one field: sets it to <paramref name="value"/> through <paramref name="assign"/> and touches the object, unless it holds that value already.</summary>
    protected void Change<T>(T current, T value, Action<T> assign, DateTimeOffset now)
    {
        if (!EqualityComparer<T>.Default.Equals(current, value))
        {
            assign(value);
            Touch(now);
        }
    }

    /// <summary>Records that a transition at <paramref name="now"/> changed something.</summary>
    protected void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        HasChanges = true;
    }
}
