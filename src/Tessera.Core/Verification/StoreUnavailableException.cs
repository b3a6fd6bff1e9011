namespace Tessera.Core.Verification;

/// <summary>
/// The query side could not read the store in time (or its breaker is open): answered 503 with
/// Retry-After, without a log line per request (the breaker and the follower already report the outage).
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : TimeoutException(message, inner);
