using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core;
using Tessera.Core.Accounts;

namespace Tessera.Server.WebConsole;

/// <summary>What every signed-in console page shares: the caller, one "now", and how refusals are shown.</summary>
public abstract class ConsolePageModel(TimeProvider time) : PageModel
{
    /// <summary>One instant per request, so every relative time on a page agrees.</summary>
    public DateTimeOffset Now { get; } = Instants.Now(time);

    /// <summary>A message about the whole page (a refusal not tied to one field).</summary>
    public string? Error { get; set; }

    /// <summary>A confirmation of what the last action did.</summary>
    public string? Notice { get; set; }

    protected Caller Caller => HttpContext.ConsoleCaller();

    /// <summary>True when the signed-in key holds <paramref name="scope"/>: a page shows only the controls it may use.</summary>
    public bool May(string scope) => Caller.Holds(scope);

    /// <summary>Shows a refusal: field errors beside their fields (names as the use cases give them), the rest on top.</summary>
    protected void Show(TesseraException e)
    {
        if (e.Errors is { Count: > 0 } errors)
        {
            foreach (var (field, messages) in errors)
            {
                foreach (var message in messages)
                {
                    ModelState.AddModelError(field, message);
                }
            }
        }
        else
        {
            Error = e.Message;
        }
    }

    /// <summary>
    /// A <c>datetime-local</c> form value (to the minute or second), read as UTC: the console says "(UTC)" beside
    /// every such field, whatever the browser's zone.
    /// </summary>
    protected static bool TryParseLocalInput(string? value, out DateTimeOffset instant)
    {
        var parsed = DateTime.TryParseExact(value, [LocalInputFormat, LocalInputFormat + ":ss"], System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at);
        instant = parsed ? new DateTimeOffset(at, TimeSpan.Zero) : default;
        return parsed;
    }

    /// <summary>The value a <c>datetime-local</c> input takes (UTC, to the minute).</summary>
    protected const string LocalInputFormat = "yyyy-MM-dd'T'HH:mm";

    /// <summary>A local return address, or <paramref name="fallback"/> for anything else (no open redirects).</summary>
    protected string LocalOr(string? url, string fallback) => !string.IsNullOrEmpty(url) && Url.IsLocalUrl(url) ? url : fallback;
}
