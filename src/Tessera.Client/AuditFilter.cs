namespace Tessera.Client;

/// <summary>Filters of <see cref="TesseraManagementClient.ListAuditAsync"/>, as <c>GET /v1/audit</c> takes them.</summary>
public sealed record AuditFilter
{
    /// <summary>Only entries about this object (<c>tok_…</c>, <c>wl_…</c>, <c>lic_…</c>, <c>acct_…</c>).</summary>
    public string? ObjectId { get; init; }

    /// <summary>Only this action, e.g. <c>token.cancelled</c>.</summary>
    public string? Action { get; init; }

    /// <summary>Only entries made by this license key (<c>lic_…</c>) or console session (<c>ses_…</c>).</summary>
    public string? ActorId { get; init; }

    /// <summary>Only entries at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only entries before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Entries fetched per request, 1–200 (default 100); the enumeration itself goes through all pages.</summary>
    public int PageSize { get; init; } = 100;
}
