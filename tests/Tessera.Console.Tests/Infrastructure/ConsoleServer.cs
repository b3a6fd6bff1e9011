using System.Net.Http.Headers;
using Tessera.Core.Secrets;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// One real Tessera server process on a free loopback port and one headless system Chromium, shared
/// by the tests of one class. Each test opens its own account (<see cref="NewAccountAsync"/>) and its
/// own browser context (own cookies), so tests never see each other's data or sessions.
/// Subclasses may give the server a short token lifetime (<see cref="Lifetime"/>).
/// </summary>
public class ConsoleServer : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-console-").FullName;
    private ServerProcess? _server;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The first account's license key (Tessera:Bootstrap:LicenseKey).</summary>
    public string BootstrapKey { get; } = SecretFormat.Generate(SecretKind.LicenseKey);

    public Uri BaseAddress => _server!.BaseAddress;

    /// <summary>The server's data directory (its SQLite file and Data Protection keys).</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    public string ServerOutput => _server!.Stdout + _server.Stderr;

    /// <summary>Tessera:Tokens:Lifetime for this server; null keeps the default (30 days).</summary>
    protected virtual TimeSpan? Lifetime => null;

    /// <summary>More configuration for this server, by its configuration key ("Tessera:Webhooks:AllowHttp").</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public virtual async ValueTask InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: scripts/test.sh installs it (apt-get install chromium).");
        }
        await StartServerAsync();
        _playwright = await Playwright.CreateAsync();
        // Playwright gives every launch a fresh temporary profile (user-data dir); HOME and the XDG
        // folders point into this fixture's folder so Chromium writes nothing into the real home.
        var home = Directory.CreateDirectory(Path.Combine(_directory, "browser-home")).FullName;
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ChromiumArgs,
            Env = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
                ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"),
            },
        });
    }

    /// <summary>Stops the server and starts it again on the same data directory (a new port).</summary>
    public async Task RestartAsync()
    {
        await _server!.DisposeAsync();
        await StartServerAsync();
    }

    /// <summary>A new account, created with the server's own admin command; returns its license key.</summary>
    public async Task<string> NewAccountAsync(string name = "Acme AI")
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunCommandAsync(_directory, null, "accounts", "create", "--name", name);
        Assert.True(exitCode == 0, stderr);
        return stdout.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>A fresh browser context (its own cookies) at desktop size, with clipboard access; <paramref name="javaScript"/> false: script off (the no-script paths).</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true)
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = Desktop,
            Locale = "en-US",
            TimezoneId = "UTC",
            Permissions = ["clipboard-read", "clipboard-write"],
            JavaScriptEnabled = javaScript,
        });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (problems)
                {
                    problems.Add($"{message.Text} ({message.Location})");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (problems)
            {
                problems.Add(error);
            }
        };
        PageChecks.Add(page, problems);
        page.ServedBy(() => ServerOutput);
        return page;
    }

    /// <summary>A fresh context signed in as a new account; returns the page and the account's license key.</summary>
    public async Task<(IPage Page, string LicenseKey)> SignedInAsync(string accountName = "Acme AI", bool javaScript = true)
    {
        var key = await NewAccountAsync(accountName);
        var page = await NewPageAsync(javaScript);
        await page.SignInAsync(key);
        return (page, key);
    }

    /// <summary>An HTTP client for the API (and the query side), with <paramref name="bearer"/> when given.</summary>
    public HttpClient Http(string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public virtual async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }

    private async Task StartServerAsync()
    {
        var environment = new Dictionary<string, string> { ["Tessera__Bootstrap__LicenseKey"] = BootstrapKey };
        if (Lifetime is { } lifetime)
        {
            environment["Tessera__Tokens__Lifetime"] = lifetime.ToString();
        }
        foreach (var (key, value) in Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        _server = await ServerProcess.StartAsync(_directory, environment);
    }
}
