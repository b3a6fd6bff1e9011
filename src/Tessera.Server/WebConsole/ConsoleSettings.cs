using Tessera.Core;

namespace Tessera.Server.WebConsole;

/// <summary>The configuration section "Tessera:Console".</summary>
public sealed class ConsoleSettings
{
    public const string Section = "Tessera:Console";

    /// <summary>
    /// Where the ASP.NET Data Protection keys (which seal the sign-in and antiforgery cookies) are kept.
    /// Null means a <c>keys</c> folder beside the SQLite database file (<c>./data/keys</c> by default).
    /// </summary>
    public string? KeysDirectory { get; set; }

    /// <summary>How long a console session lasts without activity.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How long a console session lasts at most from sign-in, however active: a stolen cookie that is kept
    /// busy stops working after this, and each sign-in proves the key again.
    /// </summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Whether a license key opens the console (issue 22). Unset: yes, until the account has an owner who signs in with a
    /// password, then no (keys are for automation). true or false decide for every account.
    /// </summary>
    public bool? AllowLicenseKeySignIn { get; set; }

    /// <summary>OpenID Connect single sign-on (ADR 0022); off unless Authority is set.</summary>
    public OidcSettings Oidc { get; set; } = new();

    public static ConsoleSettings From(IConfiguration configuration)
    {
        ConsoleSettings settings;
        try
        {
            settings = configuration.GetSection(Section).Get<ConsoleSettings>() ?? new ConsoleSettings();
        }
        catch (InvalidOperationException e)
        {
            throw new TesseraConfigurationException($"invalid configuration: {e.Message}");
        }
        if (settings.SessionIdleTimeout <= TimeSpan.Zero)
        {
            throw new TesseraConfigurationException("Tessera:Console:SessionIdleTimeout must be a positive TimeSpan, e.g. 08:00:00.");
        }
        if (settings.SessionLifetime <= TimeSpan.Zero)
        {
            throw new TesseraConfigurationException("Tessera:Console:SessionLifetime must be a positive TimeSpan, e.g. 1.00:00:00.");
        }
        settings.Oidc.Check();
        return settings;
    }
}

/// <summary>The section "Tessera:Console:Oidc": one OpenID provider for the server, and where the people it vouches for land.</summary>
public sealed class OidcSettings
{
    /// <summary>The provider's issuer URL (its discovery document is under /.well-known/openid-configuration). Unset: no single sign-on.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The one email domain accepted (example.com): people of other domains are refused, even if the provider vouches for them.</summary>
    public string? EmailDomain { get; set; }

    /// <summary>The account a person joins at their first single sign-on (acc_…).</summary>
    public string? AccountId { get; set; }

    /// <summary>The role a person gets at their first single sign-on; viewer unless set. An owner or admin changes it afterwards.</summary>
    public string Role { get; set; } = Tessera.Core.Members.Roles.Viewer;

    /// <summary>What the sign-in page's button says.</summary>
    public string DisplayName { get; set; } = "SSO";

    /// <summary>Whether the authority must be HTTPS; false only for a provider on loopback (tests, a local set-up).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    public Tessera.Core.Members.SsoPolicy Policy => new(EmailDomain!, AccountId!, Role);

    internal void Check()
    {
        if (!IsConfigured)
        {
            return;
        }
        const string section = "Tessera:Console:Oidc";
        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps &&
            (RequireHttpsMetadata || authority.Scheme != Uri.UriSchemeHttp)))
        {
            throw new TesseraConfigurationException($"{section}:Authority must be an https URL (http only with {section}:RequireHttpsMetadata=false).");
        }
        if (string.IsNullOrWhiteSpace(ClientId) || string.IsNullOrWhiteSpace(ClientSecret))
        {
            throw new TesseraConfigurationException($"{section}:ClientId and {section}:ClientSecret are required with {section}:Authority.");
        }
        if (string.IsNullOrWhiteSpace(EmailDomain) || EmailDomain.Contains('@', StringComparison.Ordinal) || !EmailDomain.Contains('.', StringComparison.Ordinal))
        {
            throw new TesseraConfigurationException($"{section}:EmailDomain is required with {section}:Authority: the one domain accepted, e.g. example.com.");
        }
        if (!Tessera.Core.Ids.IsWellFormed(Tessera.Core.Ids.Account, AccountId))
        {
            throw new TesseraConfigurationException($"{section}:AccountId is required with {section}:Authority: the account (acct_…) new people join.");
        }
        if (!Tessera.Core.Members.Roles.IsKnown(Role))
        {
            throw new TesseraConfigurationException($"{section}:Role must be one of {string.Join(", ", Tessera.Core.Members.Roles.All)}.");
        }
    }
}
