using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Events;
using Tessera.Core.Leaks;

namespace Tessera.Core.Tokens;

/// <summary>
/// The audit entries of token changes: one entry per action, with only the fields that action changed.
/// Never the secret or its hash; the hint is what lists show anyway.
/// </summary>
internal static class TokenAudit
{
    /// <summary>The fields an entry can mention, taken before a change is applied.</summary>
    public sealed record Fields(string Name, string Note, string? WorkloadId, TokenStatus Status, DateTimeOffset ExpiresAt)
    {
        public static Fields Of(QueryToken t) => new(t.Name, t.Note, t.WorkloadId, t.Status, t.ExpiresAt);
    }

    public static AuditEntry Created(Caller caller, QueryToken t) =>
        AuditEntry.By(caller, t.CreatedAt, AuditActions.TokenCreated, t.Id, null, All(t)).About(EventData.Token(t, t.CreatedAt));

    public static AuditEntry Deleted(Caller caller, QueryToken t, DateTimeOffset at) =>
        AuditEntry.By(caller, at, AuditActions.TokenDeleted, t.Id, All(t), null).About(EventData.Token(t, at));

    /// <summary>
    /// A leak report: <c>token.leaked</c> with where it was seen and what the server did, and, when that cancelled
    /// the token, <c>token.cancelled</c> by the same reporter, so the token's Activity reads as what happened.
    /// </summary>
    public static List<AuditEntry> Leaked(LeakReporter reporter, TokenStatus before, QueryToken after, LeakAction action)
    {
        var (actorType, actorId, clientIp) = reporter.As(after.AccountId);
        var at = after.UpdatedAt;
        AuditEntry Entry(string auditAction, JsonObject? old, JsonObject now) => new(
            Ids.New(Ids.Audit, at), after.AccountId, at, actorType, actorId, auditAction, after.Id, AuditEntry.Text(old), AuditEntry.Text(now), clientIp)
        {
            Subject = AuditEntry.Text(EventData.Token(after, at)),
        };

        var entries = new List<AuditEntry>
        {
            Entry(AuditActions.TokenLeaked, null, new JsonObject
            {
                ["url"] = after.Leak?.Url,
                ["source"] = after.Leak?.Source,
                ["action"] = LeakNames.Of(action),
            }),
        };
        if (before != after.Status)
        {
            entries.Add(Entry(AuditActions.TokenCancelled, new JsonObject { ["status"] = TokenNames.Of(before) },
                new JsonObject { ["status"] = TokenNames.Of(after.Status), ["reason"] = AuditActions.TokenLeaked }));
        }
        return entries;
    }

    /// <summary>One entry per changed field group; a renewal is <c>token.renewed</c>, a set expiry <c>token.expiry_set</c>.</summary>
    public static List<AuditEntry> Changes(Caller caller, Fields before, QueryToken after, bool renewal)
    {
        var at = after.UpdatedAt;
        var entries = new List<AuditEntry>();
        void Add(string action, string field, JsonNode? old, JsonNode? now) =>
            entries.Add(AuditEntry.By(caller, at, action, after.Id, new JsonObject { [field] = old }, new JsonObject { [field] = now })
                .About(EventData.Token(after, at)));

        if (before.Status != after.Status)
        {
            Add(after.Status == TokenStatus.Cancelled ? AuditActions.TokenCancelled : AuditActions.TokenReactivated,
                "status", TokenNames.Of(before.Status), TokenNames.Of(after.Status));
        }
        if (before.Name != after.Name)
        {
            Add(AuditActions.TokenRenamed, "name", before.Name, after.Name);
        }
        if (before.Note != after.Note)
        {
            Add(AuditActions.TokenNoteChanged, "note", before.Note, after.Note);
        }
        if (before.WorkloadId != after.WorkloadId)
        {
            Add(after.WorkloadId is null ? AuditActions.TokenUnassigned : AuditActions.TokenAssigned,
                "workloadId", before.WorkloadId, after.WorkloadId);
        }
        if (renewal || before.ExpiresAt != after.ExpiresAt)
        {
            Add(renewal ? AuditActions.TokenRenewed : AuditActions.TokenExpirySet,
                "expiresAt", Instants.Format(before.ExpiresAt), Instants.Format(after.ExpiresAt));
        }
        return entries;
    }

    private static JsonObject All(QueryToken t) => new()
    {
        ["name"] = t.Name,
        ["note"] = t.Note,
        ["workloadId"] = t.WorkloadId,
        ["status"] = TokenNames.Of(t.Status),
        ["expiresAt"] = Instants.Format(t.ExpiresAt),
        ["hint"] = t.Hint,
    };
}
