namespace Tessera.Contracts;

/// <summary><c>POST /v1/invitations/accept</c>, with the invitation's secret in <c>Authorization: Bearer tsi_…</c>.</summary>
public sealed record AcceptInvitationRequest(string Password, string? DisplayName = null);
