using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>The console flows tests repeat, done the way a user does them: through the pages.</summary>
public static partial class ConsoleFlows
{
    /// <summary>
    /// Signs in with the form and waits for the home the key lands on: the Dashboard (ADR 0017) for a key holding
    /// usage:read, as every full key does; a restricted key names where it lands (<paramref name="landsOn"/>).
    /// </summary>
    public static async Task SignInAsync(this IPage page, string licenseKey, string landsOn = "/dashboard")
    {
        await page.GotoAsync("/");
        await page.GetByLabel("License key").FillAsync(licenseKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with key" }).ClickAsync();
        await page.LandsOnAsync(new Regex(Regex.Escape(landsOn) + "$"));
    }

    /// <summary>Creates a workload on the Workloads page; returns its id (from the page it lands on).</summary>
    public static async Task<string> CreateWorkloadAsync(this IPage page, string name, string description = "")
    {
        await page.GotoAsync("/workloads");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Description").FillAsync(description);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workload" }).ClickAsync();
        await page.LandsOnAsync(WorkloadUrl());
        return WorkloadUrl().Match(page.Url).Groups[1].Value;
    }

    /// <summary>
    /// After a click, a key press or a form post: waits until the address bar matches <paramref name="url"/> (for as long as
    /// a navigation may take on a loaded machine), then for the page's content; fails as <see cref="LandsOnAsync(IPage, Func{Task})"/> does.
    /// Never <c>WaitForURLAsync</c> after a click: see there.
    /// </summary>
    public static Task LandsOnAsync(this IPage page, Regex url) =>
        page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(url, Landing));

    /// <summary>
    /// As <see cref="LandsOnAsync(IPage, Regex)"/> for a page that need not be the console's (another site's, which has no
    /// <c>main</c>): waits for the address bar only.
    /// </summary>
    public static async Task ArrivesAtAsync(this IPage page, Regex url)
    {
        try
        {
            await Assertions.Expect(page).ToHaveURLAsync(url, Landing);
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            throw new TimeoutException($"{e.Message} {await WhereAsync(page)}", e);
        }
    }

    /// <summary>
    /// Waits for the page a form post should land on, then for its content; when it does not come, fails with
    /// where the browser is, what that page says and what the server wrote (<see cref="ServedBy"/>) instead of a bare
    /// timeout. The rare time-out seen here (about once in a dozen full runs) was the browser already on the right page,
    /// its content shown and "networkidle" fired, while WaitForURL still waited in Frame.WaitForLoadStateAsync for a
    /// lifecycle event that never came (with WaitUntil = Commit too). So the URL is polled (an assertion reads
    /// page.Url; no lifecycle event, and a navigation that landed before the wait began is seen), then the page's
    /// main content, which every later step reads.
    /// </summary>
    public static async Task LandsOnAsync(this IPage page, Func<Task> wait)
    {
        try
        {
            await wait();
            await page.Locator("main").WaitForAsync();
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            throw new TimeoutException($"{e.Message} {await WhereAsync(page)}", e);
        }
    }

    /// <summary>For a failure message: where the browser is, what the page says, and the end of the server's output.</summary>
    public static async Task<string> WhereAsync(IPage page)
    {
        string text;
        try
        {
            text = await page.Locator("body").InnerTextAsync(new() { Timeout = 5_000 });
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            text = $"(no text: {e.Message})";
        }
        var output = Servers.TryGetValue(page, out var serverOutput) ? serverOutput() : "(not known for this page)";
        return $"The browser is at {page.Url}, showing: {text[..Math.Min(text.Length, 1_000)]}\n" +
               $"The server's output (last 4,000 characters): {output[Math.Max(0, output.Length - 4_000)..]}";
    }

    /// <summary>Notes which server's output explains a failure on <paramref name="page"/> (called for every page a <see cref="ConsoleServer"/> opens).</summary>
    public static void ServedBy(this IPage page, Func<string> serverOutput) => Servers.AddOrUpdate(page, serverOutput);

    private static readonly ConditionalWeakTable<IPage, Func<string>> Servers = [];

    /// <summary>As long as a navigation may take on a loaded machine (Playwright's default for actions).</summary>
    private static PageAssertionsToHaveURLOptions Landing => new() { Timeout = 30_000 };

    /// <summary>
    /// Runs the creation stepper from the Tokens page ("Create token"): details, Generate, reads the
    /// value once, Review; stops on the review step. Returns the token id and its value.
    /// </summary>
    public static async Task<(string Id, string Secret)> CreateTokenAsync(this IPage page, string name, string? workloadName = null)
    {
        await page.GotoAsync("/tokens");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create token", Exact = true }).ClickAsync();
        return await page.GenerateAsync(name, workloadName);
    }

    /// <summary>From the Details step: fills it in, Generate, reads the value, goes on to Review.</summary>
    public static async Task<(string Id, string Secret)> GenerateAsync(this IPage page, string name, string? workloadName)
    {
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        if (workloadName is not null)
        {
            await page.GetByLabel("Workload").SelectOptionAsync(new SelectOptionValue { Label = workloadName });
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        var secret = await page.Locator("#token-value").InputValueAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Review" }).ClickAsync();
        var id = await page.Locator("#review dd code").Last.InnerTextAsync();
        return (id, secret);
    }

    /// <summary>
    /// Waits until the filters form (#filters, applied as it changes by console.js) has been applied: the address bar
    /// is the URL the form's current values make, and no list is being fetched. Polled in the page, no fixed sleep.
    /// </summary>
    public static Task FiltersAppliedAsync(this IPage page) => page.WaitForFunctionAsync("""
        () => {
          const form = document.getElementById('filters');
          const params = new URLSearchParams();
          new FormData(form).forEach((value, name) => { if (value.trim() !== '') { params.append(name, value); } });
          const query = params.toString();
          return !form.hasAttribute('aria-busy') && location.pathname + location.search === form.getAttribute('action') + (query ? '?' + query : '');
        }
        """, null, new() { Timeout = 30_000 });

    /// <summary>The page's width as laid out (document scrollWidth) at its current viewport: wider than the viewport means it overflows sideways.</summary>
    public static Task<int> ScrollWidthAsync(this IPage page) => page.EvaluateAsync<int>("document.documentElement.scrollWidth");

    /// <summary>Saves a full-page screenshot at desktop (1280×800) and phone width under the test results.</summary>
    public static async Task ScreenshotAsync(this IPage page, string name)
    {
        foreach (var (size, label) in new[] { (ConsoleServer.Desktop, "desktop"), (ConsoleServer.Phone, "phone") })
        {
            await page.SetViewportSizeAsync(size.Width, size.Height);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}-{label}.png"), FullPage = true });
        }
        await page.SetViewportSizeAsync(ConsoleServer.Desktop.Width, ConsoleServer.Desktop.Height);
    }

    /// <summary>TESSERA_SCREENSHOTS, or TestResults/console-screenshots in the repository (ignored by git).</summary>
    public static string ScreenshotDirectory { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryRoot.Path, "TestResults", "console-screenshots")).FullName;

    [GeneratedRegex(@"/workloads/(wl_[0-9a-f]{32})")]
    public static partial Regex WorkloadUrl();

    [GeneratedRegex(@"/tokens/(tok_[0-9a-f]{32})")]
    public static partial Regex TokenUrl();
}
