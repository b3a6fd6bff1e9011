namespace Tessera.Core.Accounts;

/// <summary>An AI provider: owns license keys, workloads and query tokens.</summary>
public sealed class Account
{
    private Account(string id, string name, DateTimeOffset createdAt)
    {
        Id = id;
        Name = name;
        CreatedAt = createdAt;
    }

    public string Id { get; }

    public string Name { get; }

    public DateTimeOffset CreatedAt { get; }

    public static Account Open(string name, DateTimeOffset now) => new(Ids.New(Ids.Account, now), name, now);

    public static Account Rehydrate(string id, string name, DateTimeOffset createdAt) => new(id, name, createdAt);
}
