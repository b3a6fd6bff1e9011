using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Client;

/// <summary>
/// Checks a webhook delivery from Tessera in a receiver written in C# (Standard Webhooks, API.md §7): the
/// <c>webhook-signature</c> header must hold a <c>v1</c> signature made with one of the endpoint's secrets over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, and the timestamp must be within <see cref="Tolerance"/> of now,
/// so a captured delivery cannot be replayed later. Deduplicate on <c>webhook-id</c>: delivery is at least once.
/// </summary>
/// <example>
/// <code>
/// var verifier = new WebhookVerifier(secret); // whsec_…
/// if (!verifier.IsValid(request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Headers["webhook-signature"], body))
///     return Results.Unauthorized();
/// </code>
/// </example>
public sealed class WebhookVerifier
{
    /// <summary>How far a delivery's timestamp may be from the receiver's clock (either way).</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private const string Prefix = "whsec_";
    private readonly byte[][] _keys;
    private readonly TimeProvider _time;

    /// <summary>A verifier for the endpoint's secret(s): during a rotation, give both the new and the old.</summary>
    /// <param name="secrets">The endpoint's <c>whsec_…</c> secret(s).</param>
    public WebhookVerifier(params string[] secrets)
        : this(TimeProvider.System, secrets)
    {
    }

    /// <summary>A verifier reading the time from <paramref name="time"/> (tests).</summary>
    /// <param name="time">The clock the timestamp is compared with.</param>
    /// <param name="secrets">The endpoint's <c>whsec_…</c> secret(s).</param>
    public WebhookVerifier(TimeProvider time, params string[] secrets)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (secrets.Length == 0)
        {
            throw new ArgumentException("Give at least one whsec_ secret.", nameof(secrets));
        }
        _keys = [.. secrets.Select(Key)];
        _time = time;
    }

    /// <summary>True when the headers sign <paramref name="body"/> with one of the secrets and the timestamp is within the tolerance.</summary>
    /// <param name="id">The <c>webhook-id</c> header.</param>
    /// <param name="timestamp">The <c>webhook-timestamp</c> header (Unix seconds).</param>
    /// <param name="signature">The <c>webhook-signature</c> header (space-separated <c>v1,…</c> signatures).</param>
    /// <param name="body">The request body, exactly as received.</param>
    public bool IsValid(string? id, string? timestamp, string? signature, string body) =>
        IsValid(id, timestamp, signature, Encoding.UTF8.GetBytes(body));

    /// <inheritdoc cref="IsValid(string?, string?, string?, string)"/>
    public bool IsValid(string? id, string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(signature) ||
            !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ||
            seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }
        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age > Tolerance || age < -Tolerance)
        {
            return false;
        }
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = _keys.Select(key => HMACSHA256.HashData(key, signed)).ToList();
        foreach (var part in signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }
            // Room for what any base64 of this length may decode to: TryFromBase64String refuses a smaller buffer.
            var given = new byte[part.Length];
            if (!Convert.TryFromBase64String(part[3..], given, out var written) || written != 32)
            {
                continue;
            }
            if (expected.Any(e => CryptographicOperations.FixedTimeEquals(e, given.AsSpan(0, written))))
            {
                return true;
            }
        }
        return false;
    }

    private static byte[] Key(string secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException("A webhook secret starts with whsec_.", nameof(secret));
        }
        try
        {
            return Convert.FromBase64String(secret[Prefix.Length..]);
        }
        catch (FormatException)
        {
            throw new ArgumentException("A webhook secret is whsec_ followed by base64.", nameof(secret));
        }
    }
}
