namespace Tessera.Core.Workloads;

/// <summary>A deployed model that query tokens are bound to.</summary>
public sealed class Workload : VersionedEntity
{
    private Workload(string id, string accountId, string name, string description,
        DateTimeOffset createdAt, DateTimeOffset updatedAt, long version)
        : base(id, accountId, createdAt, updatedAt, version)
    {
        Name = name;
        Description = description;
    }

    public string Name { get; private set; }

    public string Description { get; private set; }

    public static Workload Create(string accountId, string name, string description, DateTimeOffset now) =>
        new(Ids.New(Ids.Workload, now), accountId, name, description, now, now, 1);

    public static Workload Rehydrate(string id, string accountId, string name, string description,
        DateTimeOffset createdAt, DateTimeOffset updatedAt, long version) =>
        new(id, accountId, name, description, createdAt, updatedAt, version);

    public void Rename(string name, DateTimeOffset now) => Change(Name, name, value => Name = value, now);

    public void Describe(string description, DateTimeOffset now) => Change(Description, description, value => Description = value, now);
}
