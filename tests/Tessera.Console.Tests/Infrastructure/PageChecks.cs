using System.Runtime.CompilerServices;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// Checks every finished page passes: it logged no error (a CSP violation, a script error, a failed
/// asset) and every form control has a label.
/// </summary>
public static class PageChecks
{
    private static readonly ConditionalWeakTable<IPage, List<string>> Errors = [];

    public static void Add(IPage page, List<string> errors) => Errors.AddOrUpdate(page, errors);

    /// <summary>Every visible form control on the page has a label (its own, or an aria-label).</summary>
    public static async Task AssertLabelledAsync(this IPage page)
    {
        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                .filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))
                .map(e => e.outerHTML)
            """);
        Assert.Empty(unlabelled);
    }

    /// <summary>The page logged no error, or only ones containing <paramref name="allowed"/> (a refusal the test provoked).</summary>
    public static Task AssertNoneAsync(this IPage page, string? allowed = null)
    {
        Assert.True(Errors.TryGetValue(page, out var errors));
        lock (errors)
        {
            var left = allowed is null ? errors : [.. errors.Where(e => !e.Contains(allowed, StringComparison.Ordinal))];
            Assert.True(left.Count == 0, $"The page at {page.Url} logged: {string.Join(" | ", left)}");
        }
        return Task.CompletedTask;
    }
}
