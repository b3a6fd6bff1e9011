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
    /// A date-and-time field's value, read as UTC (ADR 0021): the console's inputs are text fields labelled "(UTC)" in
    /// the one form <c>2026-12-31 22:48</c> (seconds optional; the <c>T</c> of ISO 8601 and of older links accepted too),
    /// or a date alone, its midnight (<paramref name="dateOnly"/> true). Never the browser's zone or locale.
    /// </summary>
    public static bool TryParseUtcInput(string? value, out DateTimeOffset instant, out bool dateOnly)
    {
        var text = value?.Trim() ?? "";
        if (text.EndsWith("UTC", StringComparison.OrdinalIgnoreCase))
        {
            text = text[..^3].TrimEnd();
        }
        var styles = System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal;
        dateOnly = DateTime.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, styles, out var at);
        var parsed = dateOnly || DateTime.TryParseExact(text, UtcInputFormats, System.Globalization.CultureInfo.InvariantCulture, styles, out at);
        instant = parsed ? new DateTimeOffset(at, TimeSpan.Zero) : default;
        return parsed;
    }

    /// <summary>As <see cref="TryParseUtcInput(string?, out DateTimeOffset, out bool)"/>; a date alone is its midnight.</summary>
    protected static bool TryParseLocalInput(string? value, out DateTimeOffset instant) => TryParseUtcInput(value, out instant, out _);

    private static readonly string[] UtcInputFormats =
        ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'"];

    /// <summary>The value a date-and-time field shows: UTC, to the minute, <c>2026-12-31 22:48</c>.</summary>
    protected const string LocalInputFormat = "yyyy-MM-dd HH:mm";

    /// <summary>An instant as a date-and-time field's value (UTC, to the minute).</summary>
    public static string UtcInput(DateTimeOffset at) => at.UtcDateTime.ToString(LocalInputFormat, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A list's refusal of a value from its link (an edited URL): each refused parameter named with its reason, on top of
    /// the page, since the API's parameter names need not be the form's fields.
    /// </summary>
    protected static string LinkProblem(TesseraException e) => e.Errors is { Count: > 0 } errors
        ? "This link's filters cannot be used: " + string.Join(" ", errors.Select(f => $"{f.Key}: {string.Join(" ", f.Value)}")) + " Showing the list without them."
        : e.Message;

    /// <summary>A local return address, or <paramref name="fallback"/> for anything else (no open redirects).</summary>
    protected string LocalOr(string? url, string fallback) => !string.IsNullOrEmpty(url) && Url.IsLocalUrl(url) ? url : fallback;
}
