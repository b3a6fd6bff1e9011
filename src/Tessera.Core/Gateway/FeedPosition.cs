namespace Tessera.Core.Gateway;

/// <summary>
/// Where the change feed is: <see cref="Latest"/>, the highest position visible (every lower one that will ever
/// exist is visible too, ADR 0016), and <see cref="PrunedThrough"/>, below which nothing can be read any more.
/// </summary>
public readonly record struct FeedPosition(long Latest, long PrunedThrough);
