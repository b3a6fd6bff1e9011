namespace Tessera.Contracts;

/// <summary><c>POST /v1/invitations</c>.</summary>
public sealed record CreateInvitationRequest(string Email, string Role, string? DisplayName = null, IReadOnlyList<string>? WorkloadIds = null);
