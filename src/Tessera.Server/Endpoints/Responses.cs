using System.Text.Json;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Members;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Webhooks;

namespace Tessera.Server.Endpoints;

/// <summary>Domain objects to wire shapes (Contracts).</summary>
public static class Responses
{
    public static TokenResponse Token(QueryToken t, DateTimeOffset now) => new()
    {
        Id = t.Id,
        Name = t.Name,
        Note = t.Note,
        WorkloadId = t.WorkloadId,
        Status = TokenNames.Of(t.Status),
        State = TokenNames.Of(t.StateAt(now)),
        CreatedAt = t.CreatedAt,
        UpdatedAt = t.UpdatedAt,
        ExpiresAt = t.ExpiresAt,
        LastUsedAt = t.LastUsedAt,
        UseCount = t.UseCount,
        Hint = t.Hint,
        Version = t.Version,
        Leak = t.Leak is { } leak ? new TokenLeakResponse(leak.At, leak.Url, leak.Source) : null,
    };

    public static CreatedTokenResponse CreatedToken(IssuedToken issued, DateTimeOffset now) =>
        new(Token(issued.Token, now), issued.Secret);

    public static WorkloadResponse Workload(WorkloadView view) => new()
    {
        Id = view.Workload.Id,
        Name = view.Workload.Name,
        Description = view.Workload.Description,
        CreatedAt = view.Workload.CreatedAt,
        UpdatedAt = view.Workload.UpdatedAt,
        TokenCount = view.TokenCount,
        UsableTokenCount = view.UsableTokenCount,
        Version = view.Workload.Version,
    };

    public static LicenseKeyResponse LicenseKey(LicenseKey k, DateTimeOffset now) => new()
    {
        Id = k.Id,
        Name = k.Name,
        Hint = k.Hint,
        Status = k.IsRevoked ? "revoked" : k.IsExpiredAt(now) ? "expired" : "active",
        CreatedAt = k.CreatedAt,
        LastUsedAt = k.LastUsedAt,
        RevokedAt = k.RevokedAt,
        Scopes = k.Scopes,
        WorkloadIds = k.WorkloadIds,
        ExpiresAt = k.ExpiresAt,
    };

    public static CreatedLicenseKeyResponse CreatedLicenseKey(LicenseKey k, string secret, DateTimeOffset now) => new(LicenseKey(k, now), secret);

    public static WebhookResponse Webhook(WebhookEndpoint e) => new()
    {
        Id = e.Id,
        Url = e.Url,
        Events = e.Events,
        Description = e.Description,
        Enabled = e.Enabled,
        CreatedAt = e.CreatedAt,
        UpdatedAt = e.UpdatedAt,
        Version = e.Version,
    };

    public static WebhookDeliveryResponse Delivery(WebhookDelivery d) =>
        new(d.Id, d.EventId, d.Type, d.Status, d.Attempts, d.LastResponseStatus, d.LastAttemptAt, d.NextAttemptAt);

    public static MemberResponse Member(Member m) => new()
    {
        Id = m.Id,
        Email = m.Email,
        DisplayName = m.DisplayName,
        Role = m.Role,
        Scopes = m.Scopes,
        WorkloadIds = m.WorkloadIds,
        HasPassword = m.PasswordHash is not null,
        CreatedAt = m.CreatedAt,
        UpdatedAt = m.UpdatedAt,
        LastSignInAt = m.LastSignInAt,
    };

    public static InvitationResponse Invitation(Invitation i, DateTimeOffset now) => new()
    {
        Id = i.Id,
        Email = i.Email,
        DisplayName = i.DisplayName,
        Role = i.Role,
        WorkloadIds = i.WorkloadIds,
        Status = i.StatusAt(now),
        CreatedAt = i.CreatedAt,
        ExpiresAt = i.ExpiresAt,
        AcceptedAt = i.AcceptedAt,
        MemberId = i.MemberId,
    };

    public static AccountResponse Account(Account a) => new(a.Id, a.Name, a.CreatedAt);

    public static AuditEntryResponse AuditEntry(AuditEntry e) => new()
    {
        Id = e.Id,
        At = e.At,
        ActorType = e.ActorType,
        ActorId = e.ActorId,
        Action = e.Action,
        ObjectId = e.ObjectId,
        Before = Json(e.Before),
        After = Json(e.After),
        ClientIp = e.ClientIp,
        ActorEmail = e.ActorEmail,
        SessionId = e.SessionId,
    };

    private static JsonElement? Json(string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(stored);
        return document.RootElement.Clone();
    }
}
