using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests.Sso;

/// <summary>
/// A console server with single sign-on against a real <see cref="OpenIdProvider"/> on loopback. New people join the
/// bootstrap account as developers; only addresses at <see cref="Domain"/> are accepted. The server starts once to learn
/// the bootstrap account's id, then again with Tessera:Console:Oidc set (a new port, which the provider registers as the
/// client's only redirect URI).
/// </summary>
public sealed class SsoConsoleServer : ConsoleServer
{
    public const string Domain = "example.com";

    public const string ProviderName = "Example ID";

    private Dictionary<string, string> _settings = [];

    public OpenIdProvider Provider { get; private set; } = null!;

    public string AccountId { get; private set; } = "";

    protected override IReadOnlyDictionary<string, string> Settings => _settings;

    public override async ValueTask InitializeAsync()
    {
        Provider = await OpenIdProvider.StartAsync();
        await base.InitializeAsync();
        using (var api = Http(BootstrapKey))
        {
            AccountId = JsonDocument.Parse(await api.GetStringAsync("/v1/account")).RootElement.GetProperty("id").GetString()!;
        }
        _settings = new Dictionary<string, string>
        {
            ["Tessera:Console:Oidc:Authority"] = Provider.Authority.ToString(),
            ["Tessera:Console:Oidc:ClientId"] = OpenIdProvider.ClientId,
            ["Tessera:Console:Oidc:ClientSecret"] = Provider.ClientSecret,
            ["Tessera:Console:Oidc:EmailDomain"] = Domain,
            ["Tessera:Console:Oidc:AccountId"] = AccountId,
            ["Tessera:Console:Oidc:Role"] = "developer",
            ["Tessera:Console:Oidc:DisplayName"] = ProviderName,
            ["Tessera:Console:Oidc:RequireHttpsMetadata"] = "false",
        };
        await RestartAsync();
        await Provider.RegisterConsoleAsync(BaseAddress);
        // The first challenge reads the provider's discovery document and keys: done once here, not inside a test's timeouts.
        using var warmUp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var challenge = await warmUp.GetAsync("/sign-in/sso");
        if (challenge.StatusCode != System.Net.HttpStatusCode.Redirect ||
            challenge.Headers.Location?.ToString().StartsWith(Provider.Authority + "connect/authorize", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"The console did not send the browser to the provider: {challenge.StatusCode} {challenge.Headers.Location}\n{ServerOutput}");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }

    /// <summary>
    /// Goes from the console's sign-in page through the provider's own login page and back, as a person does; returns the
    /// page where the console put them (signed in, or refused).
    /// </summary>
    public async Task<IPage> SignInWithSsoAsync(OpenIdProvider.Person person, IPage? page = null)
    {
        page ??= await NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Sign in with {ProviderName}" }).ClickAsync();
        await page.ArrivesAtAsync(new Regex("^" + Regex.Escape(Provider.Authority + "login")));
        await page.GetByLabel("Login").FillAsync(person.Login);
        await page.GetByLabel("Password").FillAsync(person.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        // Back at the console: signed in (its page continues to the console) or refused (its page says why).
        await page.ArrivesAtAsync(new Regex("^" + Regex.Escape(BaseAddress.ToString())));
        return page;
    }
}
