using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;

namespace Tessera.Core.Events;

/// <summary>
/// An event's <c>data</c> (API.md §7): the object as the management API shows it (§3), plus <c>accountId</c>.
/// Never a secret, never a hash. Written here, in Core, because the use cases build it with the change, inside
/// whose transaction the event is stored; a server test compares it with the API's own answer so the two cannot drift.
/// </summary>
public static class EventData
{
    public static JsonObject Token(QueryToken t, DateTimeOffset at) => new()
    {
        ["id"] = t.Id,
        ["name"] = t.Name,
        ["note"] = t.Note,
        ["workloadId"] = t.WorkloadId,
        ["status"] = TokenNames.Of(t.Status),
        ["state"] = TokenNames.Of(t.StateAt(at)),
        ["createdAt"] = Instants.Format(t.CreatedAt),
        ["updatedAt"] = Instants.Format(t.UpdatedAt),
        ["expiresAt"] = Instants.Format(t.ExpiresAt),
        ["lastUsedAt"] = t.LastUsedAt is { } used ? Instants.Format(used) : null,
        ["useCount"] = t.UseCount,
        ["hint"] = t.Hint,
        ["version"] = Saved(t.Version, t.HasChanges),
        ["leak"] = t.Leak is { } leak
            ? new JsonObject { ["reportedAt"] = Instants.Format(leak.At), ["url"] = leak.Url, ["source"] = leak.Source }
            : null,
        ["accountId"] = t.AccountId,
    };

    /// <summary>The version the object has once its change is saved (the store moves it as it saves; the event is written in that save).</summary>
    private static long Saved(long version, bool changed) => changed ? version + 1 : version;

    public static JsonObject Workload(Workload w) => new()
    {
        ["id"] = w.Id,
        ["name"] = w.Name,
        ["description"] = w.Description,
        ["createdAt"] = Instants.Format(w.CreatedAt),
        ["updatedAt"] = Instants.Format(w.UpdatedAt),
        ["version"] = Saved(w.Version, w.HasChanges),
        ["accountId"] = w.AccountId,
    };

    public static JsonObject LicenseKey(LicenseKey k, DateTimeOffset? revokedAt = null) => new()
    {
        ["id"] = k.Id,
        ["name"] = k.Name,
        ["hint"] = k.Hint,
        ["status"] = (revokedAt ?? k.RevokedAt) is null ? "active" : "revoked",
        ["createdAt"] = Instants.Format(k.CreatedAt),
        ["revokedAt"] = (revokedAt ?? k.RevokedAt) is { } at ? Instants.Format(at) : null,
        ["scopes"] = new JsonArray([.. k.Scopes.Select(s => JsonValue.Create(s))]),
        ["workloadIds"] = k.WorkloadIds is { } ids ? new JsonArray([.. ids.Select(id => JsonValue.Create(id))]) : null,
        ["expiresAt"] = k.ExpiresAt is { } end ? Instants.Format(end) : null,
        ["accountId"] = k.AccountId,
    };
}
