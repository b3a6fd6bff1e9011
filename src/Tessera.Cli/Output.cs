using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CsvHelper;
using CsvHelper.Configuration;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary>How a command writes what it read: <c>--format table|tsv|csv|json</c>.</summary>
public enum OutputFormat
{
    /// <summary>Aligned columns fitted to the terminal's width, long cells cut with "…": for people (the default on a terminal).</summary>
    Table,

    /// <summary>One line per row, cells separated by tabs, never cut: for <c>cut</c>, <c>awk</c> and friends (the default when piped).</summary>
    Tsv,

    /// <summary>RFC 4180 CSV with a header, never cut; cells a spreadsheet would run as a formula are escaped (OWASP CSV injection).</summary>
    Csv,

    /// <summary>The API's own JSON (a list as one array).</summary>
    Json,
}

/// <summary>
/// Writes what commands read in the chosen <see cref="OutputFormat"/>. Tables show workload names (the ids are in
/// <c>tsv</c>, <c>csv</c> and <c>json</c>) and shrink their widest free-text columns until the table fits the width.
/// </summary>
public sealed class Output(TextWriter writer, OutputFormat format, int? width = null)
{
    /// <summary>Headers of columns a table never cuts: ids and short values a person copies or compares.</summary>
    private static readonly HashSet<string> Uncut = ["ID", "STATE", "STATUS", "EXPIRES", "LAST USED", "USES", "HINT", "AT", "TOKENS", "USABLE", "CREATED", "ACTION", "OBJECT",
        "ENABLED", "EVENT", "TYPE", "ATTEMPTS", "RESPONSE", "LAST ATTEMPT", "NEXT ATTEMPT"];

    /// <summary>Headers of columns a narrow table leaves out, first to last, before it cuts free text below <see cref="ComfortableCut"/>.</summary>
    private static readonly string[] Droppable = ["HINT", "USES", "LAST USED", "UPDATED", "CREATED"];

    private const int ComfortableCut = 20;

    private const int NarrowestCut = 8;

    /// <summary>As the server's CSV export writes (RFC 4180, OWASP injection escaping): a cell starting with <c>= + - @</c> shows as text.</summary>
    private static readonly CsvConfiguration CsvConfiguration = new(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape };

    public OutputFormat Format => format;

    /// <summary>True under <c>--json</c> (or <c>--format json</c>): stdout carries only JSON.</summary>
    public bool Json => format == OutputFormat.Json;

    /// <summary>A list of tokens.</summary>
    /// <param name="tokens">The tokens, in the order to show.</param>
    /// <param name="workloadNames">Workload names by id, for the table's WORKLOAD column; ids stand in for names it lacks.</param>
    public void Tokens(IReadOnlyList<TokenResponse> tokens, IReadOnlyDictionary<string, string>? workloadNames = null)
    {
        if (Json)
        {
            Array(tokens, TesseraJsonContext.Default.TokenResponse);
            return;
        }
        string WorkloadName(TokenResponse t) => t.WorkloadId is { } id ? workloadNames?.GetValueOrDefault(id) ?? id : "-";
        if (format == OutputFormat.Table)
        {
            Table(["ID", "NAME", "STATE", "WORKLOAD", "EXPIRES", "LAST USED", "USES", "HINT"],
                tokens.Select(t => new[]
                {
                    t.Id, t.Name, t.State, WorkloadName(t), Instant(t.ExpiresAt), t.LastUsedAt is { } used ? Instant(used) : "never",
                    Count(t.UseCount), t.Hint,
                }));
            return;
        }
        Table(["ID", "NAME", "STATE", "STATUS", "WORKLOAD", "WORKLOAD ID", "CREATED", "EXPIRES", "LAST USED", "USES", "HINT", "NOTE"],
            tokens.Select(t => new[]
            {
                t.Id, t.Name, t.State, t.Status, t.WorkloadId is null ? "" : WorkloadName(t), t.WorkloadId ?? "", Instant(t.CreatedAt), Instant(t.ExpiresAt),
                t.LastUsedAt is { } used ? Instant(used) : "", Count(t.UseCount), t.Hint, t.Note,
            }));
    }

    /// <summary>One token, field by field.</summary>
    /// <param name="t">The token.</param>
    /// <param name="workloadName">The token's workload's name, shown beside its id.</param>
    public void Token(TokenResponse t, string? workloadName = null)
    {
        if (Json)
        {
            Object(t, TesseraJsonContext.Default.TokenResponse);
            return;
        }
        var workload = t.WorkloadId is not { } id ? "- (unassigned)" : workloadName is null ? id : $"{workloadName} ({id})";
        Fields(
            ("id", t.Id), ("name", t.Name), ("note", t.Note), ("workload", workload), ("status", t.Status),
            ("state", t.State), ("created", Instant(t.CreatedAt)), ("updated", Instant(t.UpdatedAt)), ("expires", Instant(t.ExpiresAt)),
            ("last used", t.LastUsedAt is { } used ? Instant(used) : "never"), ("uses", Count(t.UseCount)),
            ("hint", t.Hint), ("version", Count(t.Version)));
    }

    public void Workloads(IReadOnlyList<WorkloadResponse> workloads)
    {
        if (Json)
        {
            Array(workloads, TesseraJsonContext.Default.WorkloadResponse);
            return;
        }
        Table(["ID", "NAME", "TOKENS", "USABLE", "DESCRIPTION"],
            workloads.Select(w => new[] { w.Id, w.Name, Count(w.TokenCount), Count(w.UsableTokenCount), w.Description }));
    }

    public void Workload(WorkloadResponse w)
    {
        if (Json)
        {
            Object(w, TesseraJsonContext.Default.WorkloadResponse);
            return;
        }
        Fields(("id", w.Id), ("name", w.Name), ("description", w.Description), ("tokens", Count(w.TokenCount)),
            ("usable", Count(w.UsableTokenCount)), ("created", Instant(w.CreatedAt)), ("updated", Instant(w.UpdatedAt)));
    }

    public void Keys(IReadOnlyList<LicenseKeyResponse> keys)
    {
        if (Json)
        {
            Array(keys, TesseraJsonContext.Default.LicenseKeyResponse);
            return;
        }
        Table(["ID", "NAME", "STATUS", "SCOPES", "WORKLOADS", "EXPIRES", "LAST USED", "HINT"],
            keys.Select(k => new[]
            {
                k.Id, k.Name, k.Status, string.Join(' ', k.Scopes), k.WorkloadIds is { } bound ? string.Join(' ', bound) : "all",
                k.ExpiresAt is { } end ? Instant(end) : "never", k.LastUsedAt is { } used ? Instant(used) : "never", k.Hint,
            }));
    }

    public void Members(IReadOnlyList<MemberResponse> members)
    {
        if (Json)
        {
            Array(members, TesseraJsonContext.Default.MemberResponse);
            return;
        }
        Table(["ID", "EMAIL", "NAME", "ROLE", "WORKLOADS", "PASSWORD", "LAST SIGN-IN"],
            members.Select(m => new[]
            {
                m.Id, m.Email, m.DisplayName, m.Role, m.WorkloadIds is { } bound ? string.Join(' ', bound) : "all", m.HasPassword ? "yes" : "no",
                m.LastSignInAt is { } at ? Instant(at) : "never",
            }));
    }

    public void Invitations(IReadOnlyList<InvitationResponse> invitations)
    {
        if (Json)
        {
            Array(invitations, TesseraJsonContext.Default.InvitationResponse);
            return;
        }
        Table(["ID", "EMAIL", "ROLE", "WORKLOADS", "STATUS", "EXPIRES", "MEMBER"],
            invitations.Select(i => new[]
            {
                i.Id, i.Email, i.Role, i.WorkloadIds is { } bound ? string.Join(' ', bound) : "all", i.Status, Instant(i.ExpiresAt), i.MemberId ?? "-",
            }));
    }

    public void Audit(IReadOnlyList<AuditEntryResponse> entries)
    {
        if (Json)
        {
            Array(entries, TesseraJsonContext.Default.AuditEntryResponse);
            return;
        }
        Table(["AT", "ACTION", "OBJECT", "ACTOR", "BEFORE", "AFTER"],
            entries.Select(e => new[]
            {
                Instant(e.At), e.Action, e.ObjectId ?? "-", e.ActorId is { } actor ? $"{e.ActorType} {actor}" : e.ActorType,
                e.Before?.GetRawText() ?? "-", e.After?.GetRawText() ?? "-",
            }));
    }

    public void Webhooks(IReadOnlyList<WebhookResponse> endpoints)
    {
        if (Json)
        {
            Array(endpoints, TesseraJsonContext.Default.WebhookResponse);
            return;
        }
        Table(["ID", "URL", "EVENTS", "ENABLED", "CREATED", "DESCRIPTION"],
            endpoints.Select(w => new[]
            {
                w.Id, w.Url, string.Join(' ', w.Events), w.Enabled ? "yes" : "no", Instant(w.CreatedAt), w.Description,
            }));
    }

    /// <summary>One endpoint's fields (a created or rotated one is written as <see cref="WebhookResponse"/>: its secret goes separately).</summary>
    public void Webhook(WebhookResponse w)
    {
        if (Json)
        {
            Object(w, TesseraJsonContext.Default.WebhookResponse);
            return;
        }
        Fields(("id", w.Id), ("url", w.Url), ("events", string.Join(' ', w.Events)), ("description", w.Description),
            ("enabled", w.Enabled ? "yes" : "no"), ("created", Instant(w.CreatedAt)), ("updated", Instant(w.UpdatedAt)),
            ("version", w.Version.ToString(CultureInfo.InvariantCulture)));
    }

    public void Deliveries(IReadOnlyList<WebhookDeliveryResponse> deliveries)
    {
        if (Json)
        {
            Array(deliveries, TesseraJsonContext.Default.WebhookDeliveryResponse);
            return;
        }
        Table(["ID", "EVENT", "TYPE", "STATUS", "ATTEMPTS", "RESPONSE", "LAST ATTEMPT", "NEXT ATTEMPT"],
            deliveries.Select(d => new[]
            {
                d.Id, d.EventId, d.Type, d.Status, d.Attempts.ToString(CultureInfo.InvariantCulture),
                d.LastResponseStatus is { } code ? code.ToString(CultureInfo.InvariantCulture) : "-",
                d.LastAttemptAt is { } last ? Instant(last) : "-", d.NextAttemptAt is { } next ? Instant(next) : "-",
            }));
    }

    public void Object<T>(T value, JsonTypeInfo<T> type) => writer.WriteLine(JsonSerializer.Serialize(value, type));

    /// <summary>A line for humans; silent under <c>--json</c>, where stdout carries only JSON.</summary>
    public void Line(string text)
    {
        if (!Json)
        {
            writer.WriteLine(text);
        }
    }

    /// <summary>A line written whatever the mode (the one-time secret).</summary>
    public void Always(string text) => writer.WriteLine(text);

    private void Array<T>(IEnumerable<T> items, JsonTypeInfo<T> type) =>
        writer.WriteLine("[" + string.Join(",", items.Select(i => JsonSerializer.Serialize(i, type))) + "]");

    /// <summary>One object's fields: aligned <c>name: value</c> lines in a table, <c>name TAB value</c> lines in tsv, a <c>field,value</c> csv.</summary>
    public void Fields(params (string Name, string Value)[] fields)
    {
        if (format == OutputFormat.Tsv)
        {
            foreach (var (name, value) in fields)
            {
                writer.WriteLine($"{name}\t{Flat(value)}");
            }
            return;
        }
        if (format == OutputFormat.Csv)
        {
            Rows(["field", "value"], fields.Select(f => new[] { f.Name, f.Value }));
            return;
        }
        var widest = fields.Max(f => f.Name.Length);
        foreach (var (name, value) in fields)
        {
            writer.WriteLine($"{(name + ":").PadRight(widest + 2)}{value}");
        }
    }

    private void Table(string[] header, IEnumerable<string[]> rows)
    {
        if (format != OutputFormat.Table)
        {
            Rows(header, rows);
            return;
        }
        var all = rows.Select(r => r.Select(Flat).ToArray()).ToList();
        var widths = header.Select((h, i) => Math.Min(Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length)), 60)).ToArray();
        var shown = Fit(header, widths);
        void Write(string[] cells) =>
            writer.WriteLine(string.Join("  ", shown.Select((column, n) => n == shown.Count - 1 ? Cut(cells[column], widths[column]) : Cut(cells[column], widths[column]).PadRight(widths[column]))).TrimEnd());
        Write(header);
        all.ForEach(Write);
        if (all.Count == 0)
        {
            writer.WriteLine("(none)");
        }
    }

    /// <summary>
    /// Which columns to show, and how wide, so that a row fits the width: free-text columns narrow (widest first) to a
    /// comfortable width; then the columns a person needs least (<see cref="Droppable"/>, in that order) go; then free text
    /// narrows further, down to <see cref="NarrowestCut"/>. Ids and instants are never cut.
    /// </summary>
    private List<int> Fit(string[] header, int[] widths)
    {
        var shown = Enumerable.Range(0, header.Length).ToList();
        if (width is not { } limit)
        {
            return shown;
        }
        bool TooWide() => shown.Sum(i => widths[i]) + 2 * (shown.Count - 1) > limit;
        bool Narrow(int floor)
        {
            var narrowable = shown.Where(i => !Uncut.Contains(header[i]) && widths[i] > Math.Max(floor, header[i].Length)).ToList();
            if (narrowable.Count == 0)
            {
                return false;
            }
            widths[narrowable.MaxBy(i => widths[i])]--;
            return true;
        }
        while (TooWide() && Narrow(ComfortableCut))
        {
        }
        foreach (var name in Droppable)
        {
            if (TooWide() && System.Array.IndexOf(header, name) is >= 0 and var column)
            {
                shown.Remove(column);
            }
        }
        while (TooWide() && Narrow(NarrowestCut))
        {
        }
        return shown;
    }

    private void Rows(string[] header, IEnumerable<string[]> rows)
    {
        if (format == OutputFormat.Csv)
        {
            using var csv = new CsvWriter(writer, CsvConfiguration, leaveOpen: true);
            foreach (var record in rows.Prepend(header))
            {
                foreach (var field in record)
                {
                    csv.WriteField(field);
                }
                csv.NextRecord();
            }
            return;
        }
        foreach (var record in rows.Prepend(header))
        {
            writer.WriteLine(string.Join('\t', record.Select(Flat)));
        }
    }

    /// <summary>One line per row: line breaks and tabs in notes or descriptions would break the columns.</summary>
    private static string Flat(string value) => value.ReplaceLineEndings(" ").Replace('\t', ' ');

    private static string Cut(string value, int width) => value.Length <= width ? value : value[..(width - 1)] + "…";

    private static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Instant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
