namespace Tessera.Contracts;

/// <summary><c>PATCH /v1/members/{id}</c> (JSON merge patch): a field left out stays as it is.</summary>
public sealed record UpdateMemberRequest(string? Role = null, string? DisplayName = null);
