using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Rendering;
using Tessera.Core.Audit;
using Tessera.Core.Tokens;

namespace Tessera.Server.WebConsole;

/// <summary>Small rendering helpers shared by the console pages: instants, state badges, field errors.</summary>
public static class ConsoleHtml
{
    /// <summary>"in 29 days", "3 hours ago", "just now": the precision a person reads at a glance.</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var span = at - now;
        var future = span > TimeSpan.Zero;
        var size = span.Duration();
        if (size < TimeSpan.FromMinutes(1))
        {
            return future ? "in less than a minute" : "just now";
        }
        var text = Span(size);
        return future ? "in " + text : text + " ago";
    }

    /// <summary>A length of time in the largest whole unit that fits, rounded: "30 days", "2 hours".</summary>
    public static string Span(TimeSpan size)
    {
        // Rounded, not truncated: a token issued a moment ago for 30 days expires "in 30 days".
        var minutes = (int)Math.Round(size.TotalMinutes);
        var hours = (int)Math.Round(size.TotalHours);
        var days = (int)Math.Round(size.TotalDays);
        var (count, unit) = (minutes, hours, days) switch
        {
            _ when size < TimeSpan.FromSeconds(59.5) => ((int)Math.Round(size.TotalSeconds), "second"),
            _ when minutes < 60 => (minutes, "minute"),
            _ when hours < 24 => (hours, "hour"),
            _ when days < 60 => (days, "day"),
            _ when days < 730 => ((int)Math.Round(size.TotalDays / 30.44), "month"),
            _ => ((int)Math.Round(size.TotalDays / 365.25), "year"),
        };
        return count.ToString(CultureInfo.InvariantCulture) + " " + unit + (count == 1 ? "" : "s");
    }

    /// <summary>The exact instant, in UTC, as shown on hover and in details.</summary>
    public static string Exact(DateTimeOffset at) =>
        at.UtcDateTime.ToString("d MMM yyyy, HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A relative time with the exact instant on hover and in the datetime attribute.</summary>
    public static IHtmlContent Time(DateTimeOffset at, DateTimeOffset now) => new HtmlString(
        $"<time datetime=\"{Core.Instants.Format(at)}\" title=\"{Exact(at)}\">{HtmlEncoder.Default.Encode(Relative(at, now))}</time>");

    /// <summary>A relative time, or a dash-like word when there is none (never used).</summary>
    public static IHtmlContent Time(DateTimeOffset? at, DateTimeOffset now, string none) =>
        at is { } value ? Time(value, now) : new HtmlString($"<span class=\"muted\">{HtmlEncoder.Default.Encode(none)}</span>");

    /// <summary>The labels users know: Active, Unassigned, Expired, Cancelled.</summary>
    /// <summary>"token.expiry_set" → "Expiry set": the verb of an audit action, as a person reads it.</summary>
    public static string ActionLabel(string action)
    {
        if (action == AuditActions.TokenLeaked)
        {
            return "Reported leaked"; // "Leaked" alone reads as if Tessera leaked it
        }
        var verb = action[(action.IndexOf('.', StringComparison.Ordinal) + 1)..].Replace('_', ' ');
        return verb.Length == 0 ? action : char.ToUpperInvariant(verb[0]) + verb[1..];
    }

    /// <summary>Who made an audited change, in words.</summary>
    public static string ActorLabel(string actorType) => actorType switch
    {
        AuditActors.ConsoleSession => "console session",
        AuditActors.LicenseKey => "license key",
        _ => actorType.Replace('_', ' '),
    };

    public static string Label(TokenState state) => state switch
    {
        TokenState.Usable => "Active",
        TokenState.Unassigned => "Unassigned",
        TokenState.Expired => "Expired",
        _ => "Cancelled",
    };

    public static IHtmlContent Badge(TokenState state) =>
        new HtmlString($"<span class=\"badge badge-{TokenNames.Of(state)}\">{Label(state)}</span>");

    /// <summary>
    /// True for a token that is usable now and expires within <paramref name="within"/> (the first expiry warning,
    /// <see cref="Core.Webhooks.WebhookOptions.ExpiringWithin"/>): what the API's <c>state=expiring</c> lists.
    /// </summary>
    public static bool IsExpiring(QueryToken token, DateTimeOffset now, TimeSpan within) =>
        token.StateAt(now) == TokenState.Usable && token.ExpiresAt < now + within;

    /// <summary>
    /// The amber "Expires in 3 days" marker of a token that is expiring (issue 14); nothing otherwise. It says the time
    /// left in words, so it does not rely on its colour (dark amber on light amber, 7.2:1).
    /// </summary>
    public static IHtmlContent ExpiringBadge(QueryToken token, DateTimeOffset now, TimeSpan within) =>
        IsExpiring(token, now, within)
            ? new HtmlString($"<span class=\"badge badge-expiring\" title=\"Expires {Exact(token.ExpiresAt)}\">Expires {HtmlEncoder.Default.Encode(Relative(token.ExpiresAt, now))}</span>")
            : HtmlString.Empty;

    /// <summary>
    /// The red "Leaked" marker of a token reported seen in public (issue 18), linking to where it was seen when the
    /// report said so; nothing for a token never reported. The URL was checked to be http(s) when it was stored.
    /// </summary>
    public static IHtmlContent LeakMarker(TokenLeak? leak)
    {
        if (leak is null)
        {
            return HtmlString.Empty;
        }
        var title = HtmlEncoder.Default.Encode($"Reported {Exact(leak.At)}" + (leak.Source is { } source ? $" ({source})" : ""));
        return leak.Url is { } url
            ? new HtmlString($"<a class=\"badge badge-leaked\" href=\"{HtmlEncoder.Default.Encode(url)}\" title=\"{title}\" rel=\"noopener noreferrer nofollow\" target=\"_blank\">Leaked</a>")
            : new HtmlString($"<span class=\"badge badge-leaked\" title=\"{title}\">Leaked</span>");
    }

    /// <summary>The messages for one field, rendered beside it (empty when it is valid).</summary>
    public static IHtmlContent FieldError(this IHtmlHelper html, string field)
    {
        if (!html.ViewData.ModelState.TryGetValue(field, out var entry) || entry.Errors.Count == 0)
        {
            return HtmlString.Empty;
        }
        var messages = string.Join(" ", entry.Errors.Select(e => HtmlEncoder.Default.Encode(e.ErrorMessage)));
        return new HtmlString($"<p class=\"field-error\" id=\"{field}-error\">{messages}</p>");
    }

    /// <summary>"true" for an invalid field (aria-invalid), null (no attribute) otherwise.</summary>
    public static string? Invalid(this IHtmlHelper html, string field) =>
        html.ViewData.ModelState.TryGetValue(field, out var entry) && entry.Errors.Count > 0 ? "true" : null;

    /// <summary>The id of the field's error message when there is one (aria-describedby).</summary>
    public static string? DescribedBy(this IHtmlHelper html, string field) =>
        html.Invalid(field) is null ? null : field + "-error";
}
