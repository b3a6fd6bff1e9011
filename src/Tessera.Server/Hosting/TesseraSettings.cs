using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Tokens;
using Tessera.Core.Usage;
using Tessera.Core.Verification;
using Tessera.Core.Webhooks;
using Tessera.Server.Abuse;
using Tessera.Server.Http;
using Tessera.Server.Leaks;

namespace Tessera.Server.Hosting;

/// <summary>The configuration section "Tessera" (see the README's configuration table).</summary>
public sealed class TesseraSettings
{
    public const string Section = "Tessera";

    public DatabaseSettings Database { get; set; } = new();

    public TokenSettings Tokens { get; set; } = new();

    public BootstrapSettings Bootstrap { get; set; } = new();

    public HttpSettings Http { get; set; } = new();

    /// <summary>The query side's memory and change feed (Tessera:Verification).</summary>
    public VerificationOptions Verification { get; set; } = new();
    /// <summary>Failure limits per client address (issue #7).</summary>
    public AbuseSettings Abuse { get; set; } = new();

    /// <summary>The audit trail's retention and pruning (Tessera:Audit).</summary>
    public AuditOptions Audit { get; set; } = new();

    /// <summary>How long hourly usage buckets are kept and how they are pruned (Tessera:Usage, issue 17).</summary>
    public UsageOptions Usage { get; set; } = new();

    /// <summary>Who may read /metrics (issue 13).</summary>
    public MetricsSettings Metrics { get; set; } = new();

    /// <summary>Leak response: GitHub's partner keys and what a report does (issue 18).</summary>
    public LeakSettings Leaks { get; set; } = new();

    /// <summary>Events and webhooks: retries, auto-disable, destinations, expiry warnings (issue 14).</summary>
    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>How the console's Data Protection keys are protected at rest (issue 19).</summary>
    public DataProtectionSettings DataProtection { get; set; } = new();

    public sealed class DatabaseSettings
    {
        /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
        public string Provider { get; set; } = "sqlite";

        /// <summary>Null means <c>Data Source=data/tessera.db</c> under the content root.</summary>
        public string? ConnectionString { get; set; }

        /// <summary>PostgreSQL: how long connecting or one statement may take before the call answers 503.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
    }

    public sealed class TokenSettings
    {
        public TimeSpan Lifetime { get; set; } = TokenPolicy.DefaultLifetime;
    }

    public sealed class BootstrapSettings
    {
        /// <summary>A well-formed tsl_ key to use for the first account instead of generating one.</summary>
        public string? LicenseKey { get; set; }
    }

    public sealed class HttpSettings
    {
        /// <summary>The largest request body accepted; larger ones get 413.</summary>
        public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

        /// <summary>Proxies (addresses, or networks as CIDR like 10.0.0.0/8) whose X-Forwarded-For is believed.</summary>
        public List<string> TrustedProxies { get; set; } = [];
    }

    public sealed class MetricsSettings
    {
        /// <summary>Addresses or CIDR networks whose clients may read /metrics; none configured means <see cref="MetricsAccess.DefaultNetworks"/>.</summary>
        public List<string> AllowedNetworks { get; set; } = [];
    }

    public sealed class DataProtectionSettings
    {
        /// <summary>A certificate with its private key (PKCS#12 .pfx/.p12, or PEM with the key) that encrypts the keys; null keeps them plain.</summary>
        public string? CertificatePath { get; set; }

        /// <summary>The PKCS#12 file's password, or the PEM key's (null when it has none).</summary>
        public string? CertificatePassword { get; set; }
    }

    public static TesseraSettings From(IConfiguration configuration)
    {
        TesseraSettings settings;
        try
        {
            settings = configuration.GetSection(Section).Get<TesseraSettings>() ?? new TesseraSettings();
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the value it could not convert.
            throw new TesseraConfigurationException($"invalid configuration: {e.Message}");
        }
        if (settings.Tokens.Lifetime <= TimeSpan.Zero)
        {
            throw new TesseraConfigurationException("Tessera:Tokens:Lifetime must be a positive TimeSpan, e.g. 30.00:00:00.");
        }
        // Checked while reading settings, so a bad key stops the server before anything starts.
        AccountService.EnsureWellFormedBootstrapKey(settings.Bootstrap.LicenseKey);
        if (settings.Http.MaxRequestBodyBytes <= 0)
        {
            throw new TesseraConfigurationException("Tessera:Http:MaxRequestBodyBytes must be positive.");
        }
        var v = settings.Verification;
        if (v.FeedInterval <= TimeSpan.Zero || v.TrustWindow < v.FeedInterval || v.OfflineGrace < TimeSpan.Zero ||
            v.UnknownTtl < TimeSpan.Zero || v.MaxUnknown < 0 || v.UsageFlushInterval <= TimeSpan.Zero || v.UsageFlushBatch <= 0 ||
            v.StoreTimeout <= TimeSpan.Zero || v.StoreBreak < TimeSpan.Zero || v.MaxEntryAge <= TimeSpan.Zero || v.GapTimeout <= TimeSpan.Zero)
        {
            throw new TesseraConfigurationException(
                "Tessera:Verification: FeedInterval, UsageFlushInterval, UsageFlushBatch, StoreTimeout, MaxEntryAge and GapTimeout must be positive, " +
                "TrustWindow at least FeedInterval, OfflineGrace, StoreBreak, UnknownTtl and MaxUnknown not negative.");
        }
        settings.Abuse.Validate();
        try
        {
            settings.Webhooks.Validate();
        }
        catch (ArgumentException e)
        {
            throw new TesseraConfigurationException(e.Message);
        }
        settings.Leaks.Validate();
        ForwardedHeadersSetup.Validate(settings.Http.TrustedProxies);
        MetricsAccess.Parse(settings.Metrics.AllowedNetworks);
        if (settings.Audit.Retention <= TimeSpan.Zero || settings.Audit.PruneInterval <= TimeSpan.Zero || settings.Audit.PruneBatchSize <= 0)
        {
            throw new TesseraConfigurationException(
                "Tessera:Audit: Retention and PruneInterval must be positive TimeSpans (e.g. 365.00:00:00), PruneBatchSize a positive number.");
        }
        if (settings.Usage.Retention <= TimeSpan.Zero || settings.Usage.PruneInterval <= TimeSpan.Zero || settings.Usage.PruneBatchSize <= 0)
        {
            throw new TesseraConfigurationException(
                "Tessera:Usage: Retention and PruneInterval must be positive TimeSpans (e.g. 90.00:00:00), PruneBatchSize a positive number.");
        }
        return settings;
    }
}
