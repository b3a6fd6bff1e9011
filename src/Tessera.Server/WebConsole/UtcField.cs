namespace Tessera.Server.WebConsole;

/// <summary>
/// A date-and-time field (Pages/Shared/_UtcField): a text input read as UTC in the one form <c>2026-12-31 22:48</c>,
/// "(UTC)" in its label, and below it what the value reads as in the console's display format, so the field and every
/// time shown on the page agree (ADR 0021). Not <c>datetime-local</c>, which shows the browser's locale and zone.
/// </summary>
/// <param name="Name">The form field's name and id.</param>
/// <param name="Label">The label, "(UTC)" included.</param>
/// <param name="Value">The value as typed or as rendered (<see cref="ConsolePageModel.UtcInput"/>).</param>
/// <param name="Help">A further line of help (its id <c>{Name}-help</c>), e.g. the allowed range.</param>
/// <param name="Optional">Marks the field optional in its label.</param>
/// <param name="Grow">Lets the field take the row's free width.</param>
/// <param name="EndOfDay">A date alone means through the end of that day (an exclusive upper bound of a filter).</param>
public sealed record UtcField(string Name, string Label, string? Value, string? Help = null, bool Optional = false, bool Grow = false, bool EndOfDay = false)
{
    /// <summary>The example shown as placeholder and in the help.</summary>
    public const string Example = "2026-12-31 22:48";

    /// <summary>
    /// What a value that parses reads as, in the console's display format ("Reads as 31 Dec 2026, 22:48:00 UTC."; a date
    /// alone: its midnight, or with <see cref="EndOfDay"/> "Through the end of 31 Dec 2026 (UTC)."); null otherwise.
    /// </summary>
    public string? Reading => !ConsolePageModel.TryParseUtcInput(Value, out var at, out var dateOnly) ? null
        : dateOnly && EndOfDay ? $"Through the end of {at.UtcDateTime.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)} (UTC)."
        : $"Reads as {ConsoleHtml.Exact(at)}.";
}
