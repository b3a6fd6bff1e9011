namespace Tessera.Core.Workloads;

/// <summary>A deployed model that query tokens are bound to.</summary>
public sealed class Workload
{
    private Workload(string id, string accountId, string name, string description,
        DateTimeOffset createdAt, DateTimeOffset updatedAt, long version)
    {
        Id = id;
        AccountId = accountId;
        Name = name;
        Description = description;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
        Version = version;
    }

    public string Id { get; }

    public string AccountId { get; }

    public string Name { get; private set; }

    public string Description { get; private set; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public long Version { get; private set; }

    /// <summary>True when a transition changed something that must be saved.</summary>
    public bool HasChanges { get; private set; }

    public static Workload Create(string accountId, string name, string description, DateTimeOffset now) =>
        new(Ids.New(Ids.Workload, now), accountId, name, description, now, now, 1);

    public static Workload Rehydrate(string id, string accountId, string name, string description,
        DateTimeOffset createdAt, DateTimeOffset updatedAt, long version) =>
        new(id, accountId, name, description, createdAt, updatedAt, version);

    public void Rename(string name, DateTimeOffset now)
    {
        if (name != Name)
        {
            Name = name;
            Touch(now);
        }
    }

    public void Describe(string description, DateTimeOffset now)
    {
        if (description != Description)
        {
            Description = description;
            Touch(now);
        }
    }

    /// <summary>Called by the use case once the store has saved the changes.</summary>
    public void MarkSaved()
    {
        if (HasChanges)
        {
            Version++;
            HasChanges = false;
        }
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        HasChanges = true;
    }
}
