namespace Tessera.Contracts;

/// <summary>The uses of one bucket of <c>GET /v1/usage</c>.</summary>
/// <param name="Start">The bucket's first instant (UTC, on the hour or at midnight); it lasts one hour or one day.</param>
/// <param name="Uses">Verifications counted in it (0 for a bucket with none: the list has no gaps).</param>
public sealed record UsageBucketResponse(DateTimeOffset Start, long Uses);
