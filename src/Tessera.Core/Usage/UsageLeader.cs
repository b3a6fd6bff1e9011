namespace Tessera.Core.Usage;

/// <summary>One of the busiest tokens or workloads over a window: its id, its name now, and its uses.</summary>
public sealed record UsageLeader(string Id, string Name, long Uses);
