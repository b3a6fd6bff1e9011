using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Tessera.Core.Usage;

namespace Tessera.Server.WebConsole;

/// <summary>
/// A bar chart of usage buckets drawn on the server as inline SVG: no script and nothing from elsewhere (the CSP
/// stays as it is). Colours come from the stylesheet (<c>.chart</c>), so dark and light mode both read. The SVG is
/// one image with a text summary for screen readers; the numbers are in a table behind a <c>details</c> element.
/// </summary>
public static class UsageChart
{
    private const int Width = 720;
    private const int Height = 160;
    private const int Top = 12;
    private const int Bottom = 22;

    /// <param name="id">Unique on the page (the figure's and the table's ids derive from it).</param>
    /// <param name="title">What the chart shows, e.g. "Uses in the last 24 hours, by hour".</param>
    /// <param name="buckets">Oldest first, zeros included.</param>
    /// <param name="daily">Label buckets by date (true) or by hour (false), in UTC.</param>
    public static IHtmlContent Render(string id, string title, IReadOnlyList<UsageBucket> buckets, bool daily)
    {
        var html = new StringBuilder();
        var e = HtmlEncoder.Default;
        var total = buckets.Sum(b => b.Uses);
        var max = Math.Max(1, buckets.Count == 0 ? 0 : buckets.Max(b => b.Uses));
        var busiest = buckets.Count == 0 ? default : buckets.MaxBy(b => b.Uses);
        var summary = total == 0
            ? "No uses in this period."
            : string.Create(CultureInfo.InvariantCulture, $"{total:N0} uses in all; the busiest {(daily ? "day" : "hour")} was {Label(busiest.Start, daily)} with {busiest.Uses:N0}.");
        html.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\" id=\"{e.Encode(id)}\" data-total=\"{total}\">");
        html.Append(CultureInfo.InvariantCulture, $"<figcaption><span class=\"chart-title\">{e.Encode(title)}</span> <span class=\"muted\">{e.Encode(summary)}</span></figcaption>");
        if (total == 0)
        {
            html.Append("<p class=\"chart-empty muted\">Nothing to draw yet: uses appear here within a second or two of a verification.</p>");
        }
        else
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<svg viewBox=\"0 0 {Width} {Height}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{e.Encode(title + ". " + summary)}\" focusable=\"false\">");
            var slot = (double)Width / buckets.Count;
            var plot = Height - Top - Bottom;
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"chart-axis\" x1=\"0\" x2=\"{Width}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\"/>");
            for (var i = 0; i < buckets.Count; i++)
            {
                var b = buckets[i];
                var h = b.Uses == 0 ? 0 : Math.Max(1.5, plot * b.Uses / (double)max);
                html.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"chart-bar\" x=\"{i * slot + slot * 0.15:0.##}\" y=\"{Height - Bottom - h:0.##}\" width=\"{slot * 0.7:0.##}\" height=\"{h:0.##}\"><title>{e.Encode(Label(b.Start, daily))}: {b.Uses:N0}</title></rect>");
            }
            foreach (var i in new[] { 0, buckets.Count / 2, buckets.Count - 1 }.Distinct())
            {
                var anchor = i == 0 ? "start" : i == buckets.Count - 1 ? "end" : "middle";
                var x = i == 0 ? 0 : i == buckets.Count - 1 ? Width : i * slot + slot / 2;
                html.Append(CultureInfo.InvariantCulture,
                    $"<text class=\"chart-label\" x=\"{x:0.##}\" y=\"{Height - 6}\" text-anchor=\"{anchor}\">{e.Encode(Label(buckets[i].Start, daily))}</text>");
            }
            html.Append(CultureInfo.InvariantCulture, $"<text class=\"chart-label\" x=\"2\" y=\"{Top}\">{max:N0}</text>");
            html.Append("</svg>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<details class=\"chart-data\"><summary>Data table</summary><table class=\"table\"><caption class=\"visually-hidden\">{e.Encode(title)}</caption>");
        html.Append(CultureInfo.InvariantCulture, $"<thead><tr><th scope=\"col\">{(daily ? "Day (UTC)" : "Hour (UTC)")}</th><th scope=\"col\">Uses</th></tr></thead><tbody>");
        foreach (var b in buckets)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{e.Encode(Label(b.Start, daily))}</td><td>{b.Uses:N0}</td></tr>");
        }
        html.Append("</tbody></table></details></figure>");
        return new HtmlString(html.ToString());
    }

    private static string Label(DateTimeOffset start, bool daily) =>
        start.UtcDateTime.ToString(daily ? "yyyy-MM-dd" : "MM-dd HH:00", CultureInfo.InvariantCulture);
}
