using System.Security.Cryptography;
using System.Text;
using OtpNet;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Storage;

namespace Tessera.Core.Members;

/// <summary>
/// Two-step sign-in (issue 22): an RFC 6238 TOTP code (30 s, 6 digits, one step either way for clock drift) from an
/// authenticator app, each code accepted once, or one of ten single-use recovery codes of which only SHA-256 is kept.
/// Time comes from <see cref="TimeProvider"/>, so codes are tested at chosen instants.
/// </summary>
public sealed class MemberTotpService(IMemberStore store, ISecretSealer sealer, IPasswordHashing hasher, TimeProvider time)
{
    public const int RecoveryCodeCount = 10;

    private static readonly VerificationWindow Drift = new(previous: 1, future: 1);

    /// <summary>A new secret (160 bits, RFC 4226's recommendation) in base32, as authenticator apps take it.</summary>
    public static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20));

    /// <summary>The <c>otpauth://</c> URI an authenticator app reads from the QR code.</summary>
    public static string SetupUri(string secret, string email) =>
        $"otpauth://totp/Tessera:{Uri.EscapeDataString(email)}?secret={secret}&issuer=Tessera&algorithm=SHA1&digits=6&period=30";

    /// <summary>The code an authenticator shows for <paramref name="secret"/> at <paramref name="at"/> (tests and docs).</summary>
    public static string CodeAt(string secret, DateTimeOffset at) => new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(at.UtcDateTime);

    /// <summary>
    /// Turns two-step sign-in on for the signed-in member once they prove their app shows the right code; returns the
    /// recovery codes, shown this once.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnableAsync(Caller caller, string secret, string? code, CancellationToken cancellationToken)
    {
        var member = caller.MemberId is { } id ? await store.GetMemberAsync(id, cancellationToken) : null;
        if (member is null)
        {
            throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope, "Only a member signed in as a person can set up two-step sign-in.");
        }
        if (Match(secret, code) is not { } step)
        {
            throw TesseraException.Invalid("code", "This is not the code your app shows now; check the device's clock and try the next one.");
        }
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        var now = Instants.Now(time);
        await store.SetTotpAsync(member.Id, sealer.Seal(secret), [.. codes.Select(HashOf)], now, cancellationToken,
            [AuditEntry.By(caller, now, AuditActions.MemberTwoStepEnabled, member.Id, null, null)]);
        await store.UseTotpStepAsync(member.Id, step, cancellationToken); // the code just shown may not sign in again
        return codes;
    }

    /// <summary>
    /// Turns two-step sign-in off for the signed-in member. A session left open is not enough: the member's password or a
    /// current code (from the app, or a recovery code) must be given.
    /// </summary>
    public async Task DisableAsync(Caller caller, string? password, string? code, CancellationToken cancellationToken)
    {
        var member = await ProvenAsync(caller, password, code, cancellationToken);
        var now = Instants.Now(time);
        await store.SetTotpAsync(member.Id, null, [], now, cancellationToken,
            [AuditEntry.By(caller, now, AuditActions.MemberTwoStepDisabled, member.Id, null, null)]);
    }

    /// <summary>
    /// New recovery codes for the signed-in member, shown this once; the old ones stop working. Needs the password or a
    /// current code, as <see cref="DisableAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> RegenerateRecoveryCodesAsync(Caller caller, string? password, string? code, CancellationToken cancellationToken)
    {
        var member = await ProvenAsync(caller, password, code, cancellationToken);
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        var now = Instants.Now(time);
        await store.SetRecoveryCodesAsync(member.Id, [.. codes.Select(HashOf)], now, cancellationToken,
            [AuditEntry.By(caller, now, AuditActions.MemberRecoveryCodesRegenerated, member.Id, null, null)]);
        return codes;
    }

    /// <summary>The signed-in member with two-step sign-in on, once they proved it is them now: their password, or a code.</summary>
    private async Task<Member> ProvenAsync(Caller caller, string? password, string? code, CancellationToken cancellationToken)
    {
        var member = caller.MemberId is { } id ? await store.GetMemberAsync(id, cancellationToken) : null;
        if (member is null)
        {
            throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope, "Only a member signed in as a person has two-step sign-in.");
        }
        if (member.TotpSecret is null)
        {
            throw TesseraException.Invalid("code", "Two-step sign-in is not on.");
        }
        var proven = !string.IsNullOrEmpty(password)
            ? member.PasswordHash is { } hash && hasher.Verify(member, hash, password, out _)
            : !string.IsNullOrWhiteSpace(code) && await VerifyAsync(member, code, cancellationToken);
        return proven
            ? member
            : throw TesseraException.Invalid(string.IsNullOrEmpty(password) ? "code" : "password",
                "Give your current password, or a code from your app (or a recovery code), to confirm it is you.");
    }

    /// <summary>
    /// The second step of a sign-in: a current TOTP code not used before, or an unused recovery code (spent by this).
    /// </summary>
    public async Task<bool> VerifyAsync(Member member, string? code, CancellationToken cancellationToken)
    {
        var value = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        if (value.Length == 6 && value.All(char.IsAsciiDigit))
        {
            return member.TotpSecret is { } sealedSecret && sealer.Unseal(sealedSecret) is { } secret && Match(secret, value) is { } step &&
                await store.UseTotpStepAsync(member.Id, step, cancellationToken);
        }
        return value.Length == 10 && await store.UseRecoveryCodeAsync(member.Id, HashOf(value), cancellationToken);
    }

    private long? Match(string secret, string? code) =>
        code is { Length: 6 } && code.All(char.IsAsciiDigit) &&
        new Totp(Base32Encoding.ToBytes(secret)).VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, Drift)
            ? step
            : null;

    /// <summary>Ten base32 characters (50 bits), shown as xxxxx-xxxxx.</summary>
    private static string NewRecoveryCode()
    {
        var text = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant()[..10];
        return $"{text[..5]}-{text[5..]}";
    }

    private static string HashOf(string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(code.Replace("-", "", StringComparison.Ordinal))));
}
