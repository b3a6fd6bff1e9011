namespace Tessera.Core;

/// <summary>
/// Public identifiers: a type prefix and a UUIDv7 in lower-case hex, so they sort by creation time
/// and say what they name.
/// </summary>
public static class Ids
{
    public const string Account = "acct_";
    public const string LicenseKey = "lic_";
    public const string Workload = "wl_";
    public const string Token = "tok_";
    public const string Audit = "aud_";
    public const string Member = "mem_";
    public const string Invitation = "inv_";
    public const string Webhook = "wh_";
    public const string Event = "evt_";
    public const string Delivery = "dlv_";

    public static string New(string prefix, DateTimeOffset at) => prefix + Guid.CreateVersion7(at).ToString("N");

    /// <summary>True when <paramref name="value"/> is a prefix followed by 32 lower-case hex digits.</summary>
    public static bool IsWellFormed(string prefix, string? value)
    {
        if (value is null || value.Length != prefix.Length + 32 || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in value.AsSpan(prefix.Length))
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }
        return true;
    }
}
