namespace Tessera.Core.Usage;

/// <summary>The uses counted from <see cref="Start"/> (UTC, inclusive) for one bucket's width.</summary>
public readonly record struct UsageBucket(DateTimeOffset Start, long Uses);
