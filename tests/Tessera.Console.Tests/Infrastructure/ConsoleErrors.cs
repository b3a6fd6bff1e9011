using System.Runtime.CompilerServices;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// What each page logged as an error (a CSP violation, a script error, a failed asset): a finished
/// page logs none, so tests end with <see cref="AssertNoneAsync"/>.
/// </summary>
public static class ConsoleErrors
{
    private static readonly ConditionalWeakTable<IPage, List<string>> Errors = [];

    public static void Add(IPage page, List<string> errors) => Errors.AddOrUpdate(page, errors);

    public static Task AssertNoneAsync(this IPage page)
    {
        Assert.True(Errors.TryGetValue(page, out var errors));
        lock (errors)
        {
            Assert.Empty(errors);
        }
        return Task.CompletedTask;
    }
}
