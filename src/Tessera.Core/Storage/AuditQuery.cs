namespace Tessera.Core.Storage;

/// <summary>Filters and page of the audit trail, newest first. From is inclusive, To exclusive.</summary>
public sealed record AuditQuery
{
    public string? ObjectId { get; init; }

    public string? Action { get; init; }

    /// <summary>Only entries made by this actor: a license key (<c>lic_…</c>) or a console session (<c>ses_…</c>).</summary>
    public string? ActorId { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    /// <summary>Rows per page; set by the use case from its <see cref="PageRequest"/>.</summary>
    public int Limit { get; init; } = PageRequest.DefaultLimit;

    public ListCursor? After { get; init; }
}
