using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Core.Accounts;

namespace Tessera.Core.Audit;

/// <summary>
/// One line of the audit trail: who (<see cref="ActorType"/>, <see cref="ActorId"/>) did what
/// (<see cref="Action"/>, one of <see cref="AuditActions"/>) to which object, when, from where, with the
/// fields it changed before and after as JSON objects. Never a secret and never a hash: the builders
/// below are the only way entries are made, and they only take plain fields.
/// </summary>
public sealed record AuditEntry(
    string Id,
    string? AccountId,
    DateTimeOffset At,
    string ActorType,
    string? ActorId,
    string Action,
    string? ObjectId,
    string? Before,
    string? After,
    string? ClientIp)
{
    /// <summary>The member's email when a member made the change (<see cref="AuditActors.Member"/>): the person, by name, as they were then.</summary>
    public string? ActorEmail { get; init; }

    /// <summary>The console session a member made the change in (ses_…), never its cookie.</summary>
    public string? SessionId { get; init; }
    /// <summary>
    /// The object the change left (for a deletion: the object it removed), as the change's event carries it
    /// (<see cref="Events.EventData"/>); null for entries that are no event. The store that writes the entry writes the
    /// event from it, in the same transaction (API.md §7's outbox). Not part of the trail itself.
    /// </summary>
    public string? Subject { get; init; }

    /// <summary>This entry, carrying <paramref name="subject"/> into its event.</summary>
    public AuditEntry About(JsonObject subject) => this with { Subject = Text(subject) };

    /// <summary>An entry for a change the caller made (through the API or the console).</summary>
    public static AuditEntry By(Caller caller, DateTimeOffset at, string action, string objectId, JsonObject? before, JsonObject? after)
    {
        // A member signed in as a person is named as one (issue 22); a key's console session stays a session of that key.
        var (type, id) = caller.MemberId is { } member ? (AuditActors.Member, member)
            : caller.ConsoleSessionId is { } session ? (AuditActors.ConsoleSession, session)
            : (AuditActors.LicenseKey, caller.LicenseKeyId);
        return new AuditEntry(Ids.New(Ids.Audit, at), caller.AccountId, at, type, id, action, objectId,
            Text(before), Text(after), caller.ClientIp)
        {
            ActorEmail = caller.MemberEmail,
            SessionId = caller.MemberId is null ? null : caller.ConsoleSessionId,
        };
    }

    /// <summary>An entry for a change made by the server itself or its command line (no HTTP caller).</summary>
    public static AuditEntry Local(string actorType, string accountId, DateTimeOffset at, string action, string objectId, JsonObject? before, JsonObject? after) =>
        new(Ids.New(Ids.Audit, at), accountId, at, actorType, null, action, objectId, Text(before), Text(after), null);

    /// <summary>
    /// The entry a store appends for each token that <paramref name="workloadDeleted"/> unassigned, in the
    /// same transaction: the same actor, instant and address, the token as the object.
    /// </summary>
    public static AuditEntry TokenUnassignedBy(AuditEntry workloadDeleted, string tokenId) =>
        workloadDeleted with
        {
            Subject = null,
            Id = Ids.New(Ids.Audit, workloadDeleted.At),
            Action = AuditActions.TokenUnassigned,
            ObjectId = tokenId,
            Before = Text(new JsonObject { ["workloadId"] = workloadDeleted.ObjectId }),
            After = Text(new JsonObject { ["workloadId"] = null, ["reason"] = AuditActions.WorkloadDeleted }),
        };

    /// <summary>
    /// Stored as written (a name in any script, a hint's ellipsis), not \u-escaped: the text is only ever
    /// parsed back into a JSON response, never placed into HTML by the server.
    /// </summary>
    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string? Text(JsonObject? fields) => fields?.ToJsonString(Unescaped);
}
