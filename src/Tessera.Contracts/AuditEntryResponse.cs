using System.Text.Json;

namespace Tessera.Contracts;

/// <summary>One entry of the audit trail (<c>GET /v1/audit</c>): who did what to which object, when and from where.</summary>
public record AuditEntryResponse
{
    /// <summary>Entry id (<c>aud_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>When the change was made (the instant of the change itself).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>
    /// <c>license_key</c> (an API call), <c>console_session</c> (the web console signed in with a key), <c>member</c> (a person signed in to the console), <c>admin</c> (the server's
    /// command line), <c>system</c> (the server itself) or <c>anonymous</c> (a failed sign-in).
    /// </summary>
    public required string ActorType { get; init; }

    /// <summary>The license key id (<c>lic_…</c>) or console session id; null for the other actor types.</summary>
    public string? ActorId { get; init; }

    /// <summary>A stable dotted name such as <c>token.cancelled</c> (the README lists them all).</summary>
    public required string Action { get; init; }

    /// <summary>The id of the object changed (<c>tok_…</c>, <c>wl_…</c>, <c>lic_…</c>, <c>acct_…</c>).</summary>
    public string? ObjectId { get; init; }

    /// <summary>The fields the action changed, as they were; null for a creation. Never a secret or a hash.</summary>
    public JsonElement? Before { get; init; }

    /// <summary>The fields the action changed, as they became; null for a deletion. Never a secret or a hash.</summary>
    public JsonElement? After { get; init; }

    /// <summary>The client's IP address, when the change came over HTTP.</summary>
    public string? ClientIp { get; init; }

    /// <summary>For actor type <c>member</c>: the member's email when they made the change.</summary>
    public string? ActorEmail { get; init; }

    /// <summary>For actor type <c>member</c>: the console session (<c>ses_…</c>) the change was made in.</summary>
    public string? SessionId { get; init; }
}
