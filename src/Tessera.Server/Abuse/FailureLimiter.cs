using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Core;
using Tessera.Server.Http;

namespace Tessera.Server.Abuse;

/// <summary>
/// Counts refused credentials per client address with the framework's partitioned rate limiter and
/// says when an address has used up its budget. It is consulted only after a credential was refused,
/// never before a check, so a usable token or key is never turned away however busy its address is
/// (a gateway sends every end user's requests from one address). See ADR 0006.
/// </summary>
public sealed class FailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _queryFailures;
    private readonly PartitionedRateLimiter<string>? _licenseFailures;
    private readonly PartitionedRateLimiter<string> _signInAudits;
    private readonly PartitionedRateLimiter<string>? _memberFailures;
    private readonly AbuseSettings _settings;

    public FailureLimiter(AbuseSettings settings)
    {
        _settings = settings;
        _queryFailures = Create(settings.QueryFailures);
        _licenseFailures = Create(settings.LicenseFailures);
        _memberFailures = Create(settings.MemberFailures);
        // One permit per address per license-key window (kept even when that limit is off: its window still
        // says how often an address's refused sign-ins are worth a row).
        _signInAudits = Create(new AbuseSettings.FailureLimit { PermitLimit = 1, Window = settings.LicenseFailures.Window })!;
    }

    /// <summary>
    /// Records one failure for the caller's address. False when the address is over its limit: the
    /// caller answers 429 (<see cref="TooManyFailures"/>) instead of the refusal it was about to give.
    /// </summary>
    public bool TryRecordFailure(HttpContext context, FailureKind kind, out TimeSpan retryAfter)
    {
        var (limiter, limit) = kind == FailureKind.QueryToken
            ? (_queryFailures, _settings.QueryFailures)
            : (_licenseFailures, _settings.LicenseFailures);
        retryAfter = TimeSpan.Zero;
        if (limiter is null)
        {
            return true;
        }
        using var lease = limiter.AttemptAcquire(ClientKey(context.Connection.RemoteIpAddress));
        if (lease.IsAcquired)
        {
            return true;
        }
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limit.Window;
        return false;
    }

    /// <summary>False when the member's refused passwords have reached their limit: the sign-in waits <paramref name="retryAfter"/> unchecked.</summary>
    public bool MayTryMember(string memberId, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_memberFailures is null)
        {
            return true;
        }
        // Zero permits asks without spending one: a right password after the limit must not pass, nor count.
        using var lease = _memberFailures.AttemptAcquire(memberId, 0);
        retryAfter = lease.IsAcquired ? TimeSpan.Zero : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _settings.MemberFailures.Window;
        return lease.IsAcquired;
    }

    /// <summary>Records one refused password for the member; false when that was one too many (answer 429).</summary>
    public bool TryRecordMemberFailure(string memberId, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_memberFailures is null)
        {
            return true;
        }
        using var lease = _memberFailures.AttemptAcquire(memberId);
        retryAfter = lease.IsAcquired ? TimeSpan.Zero : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _settings.MemberFailures.Window;
        return lease.IsAcquired;
    }

    /// <summary>
    /// True at most once per client address per window of the license-key limit: whether a refused console
    /// sign-in from this address is written to the audit trail. Asked only after <see cref="TryRecordFailure"/>
    /// let the failure through, so an address over its limit writes nothing. Without this, a key-guessing
    /// loop became one audit row per attempt (kept for the audit retention, each through SQLite's single
    /// writer); one row per window still says who tried, from where and when.
    /// </summary>
    public bool ShouldAuditSignInFailure(HttpContext context)
    {
        using var lease = _signInAudits.AttemptAcquire(ClientKey(context.Connection.RemoteIpAddress));
        return lease.IsAcquired;
    }

    /// <summary>429 with Retry-After (whole seconds, at least 1) and a problem body.</summary>
    public static ProblemHttpResult TooManyFailures(HttpResponse response, TimeSpan retryAfter) =>
        Problems.Create(StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyFailures, SetRetryAfter(response, retryAfter));

    /// <summary>
    /// Sets Retry-After (whole seconds, at least 1) and returns the message of the 429 that goes with it, for
    /// surfaces that answer in a shape of their own (the Lattica surface's <c>{error, error_code}</c>).
    /// </summary>
    public static string SetRetryAfter(HttpResponse response, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"Too many refused credentials from this address; retry after {seconds} s. A valid credential is always accepted.";
    }

    /// <summary>
    /// The partition of an address: IPv4 as is, IPv6 by its /64 (one subscriber's usual allocation,
    /// so rotating through it gains nothing).
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public void Dispose()
    {
        _queryFailures?.Dispose();
        _licenseFailures?.Dispose();
        _signInAudits.Dispose();
        _memberFailures?.Dispose();
    }

    private static PartitionedRateLimiter<string>? Create(AbuseSettings.FailureLimit limit) =>
        limit.PermitLimit == 0
            ? null
            : PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.PermitLimit,
                Window = limit.Window,
                QueueLimit = 0,
            }));
}
