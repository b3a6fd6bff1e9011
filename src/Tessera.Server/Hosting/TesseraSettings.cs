using Tessera.Core.Tokens;

namespace Tessera.Server.Hosting;

/// <summary>The configuration section "Tessera" (see the README's configuration table).</summary>
public sealed class TesseraSettings
{
    public const string Section = "Tessera";

    public DatabaseSettings Database { get; set; } = new();

    public TokenSettings Tokens { get; set; } = new();

    public BootstrapSettings Bootstrap { get; set; } = new();

    public HttpSettings Http { get; set; } = new();

    public sealed class DatabaseSettings
    {
        /// <summary><c>sqlite</c> (default).</summary>
        public string Provider { get; set; } = "sqlite";

        /// <summary>Null means <c>Data Source=data/tessera.db</c> under the content root.</summary>
        public string? ConnectionString { get; set; }
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
    }

    public static TesseraSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<TesseraSettings>() ?? new TesseraSettings();
        if (settings.Tokens.Lifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Tessera:Tokens:Lifetime must be a positive TimeSpan, e.g. 30.00:00:00.");
        }
        if (settings.Http.MaxRequestBodyBytes <= 0)
        {
            throw new InvalidOperationException("Tessera:Http:MaxRequestBodyBytes must be positive.");
        }
        return settings;
    }
}
