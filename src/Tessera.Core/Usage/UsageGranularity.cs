namespace Tessera.Core.Usage;

/// <summary>The width of one bucket of <c>GET /v1/usage</c>: an hour or a UTC day.</summary>
public enum UsageGranularity
{
    Hour,
    Day,
}
