using System.Net.Mail;
using Tessera.Core.Validation;

namespace Tessera.Core.Members;

/// <summary>The rules for what a person types: an email (their identity) and a password.</summary>
public static class MemberRules
{
    public const int EmailMax = 254;
    public const int PasswordMin = 12;
    public const int PasswordMax = 256;

    /// <summary>A plain address (no display name, no spaces), lower-cased so that one person is one member; null after recording an error.</summary>
    public static string? Email(string? raw, string field, ValidationErrors errors)
    {
        var value = raw?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            errors.Add(field, "Required.");
            return null;
        }
        if (value.Length > EmailMax || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ||
            !MailAddress.TryCreate(value, out var address) || address.Address != value || address.Host.Length == 0 || !address.Host.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(field, $"Must be an email address such as ada@example.com (at most {EmailMax} characters).");
            return null;
        }
        return value.ToLowerInvariant();
    }

    /// <summary>
    /// Length only (NIST SP 800-63B §5.1.1.2): no composition rules, which push people to predictable patterns. The
    /// password itself is never echoed in an error.
    /// </summary>
    public static string? Password(string? raw, string field, ValidationErrors errors)
    {
        if (raw is null || raw.Length < PasswordMin || raw.Length > PasswordMax)
        {
            errors.Add(field, $"Must be {PasswordMin} to {PasswordMax} characters.");
            return null;
        }
        return raw;
    }

    public static string? Role(string? raw, string field, ValidationErrors errors)
    {
        if (!Roles.IsKnown(raw))
        {
            errors.Add(field, $"Must be one of {string.Join(", ", Roles.All)}.");
            return null;
        }
        return raw;
    }
}
