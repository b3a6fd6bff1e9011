using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary>Human tables by default; with <c>--json</c>, the API's own JSON (a list as one array) for scripts.</summary>
public sealed class Output(TextWriter writer, bool json)
{
    public bool Json => json;

    public void Tokens(IReadOnlyList<TokenResponse> tokens)
    {
        if (json)
        {
            Array(tokens, TesseraJsonContext.Default.TokenResponse);
            return;
        }
        Table(["ID", "NAME", "STATE", "WORKLOAD", "EXPIRES", "LAST USED", "USES", "HINT"],
            tokens.Select(t => new[]
            {
                t.Id, t.Name, t.State, t.WorkloadId ?? "-", Instant(t.ExpiresAt), t.LastUsedAt is { } used ? Instant(used) : "never",
                t.UseCount.ToString(CultureInfo.InvariantCulture), t.Hint,
            }));
    }

    public void Token(TokenResponse t)
    {
        if (json)
        {
            Object(t, TesseraJsonContext.Default.TokenResponse);
            return;
        }
        Fields(
            ("id", t.Id), ("name", t.Name), ("note", t.Note), ("workload", t.WorkloadId ?? "- (unassigned)"), ("status", t.Status),
            ("state", t.State), ("created", Instant(t.CreatedAt)), ("updated", Instant(t.UpdatedAt)), ("expires", Instant(t.ExpiresAt)),
            ("last used", t.LastUsedAt is { } used ? Instant(used) : "never"), ("uses", t.UseCount.ToString(CultureInfo.InvariantCulture)),
            ("hint", t.Hint), ("version", t.Version.ToString(CultureInfo.InvariantCulture)));
    }

    public void Workloads(IReadOnlyList<WorkloadResponse> workloads)
    {
        if (json)
        {
            Array(workloads, TesseraJsonContext.Default.WorkloadResponse);
            return;
        }
        Table(["ID", "NAME", "TOKENS", "USABLE", "DESCRIPTION"],
            workloads.Select(w => new[]
            {
                w.Id, w.Name, w.TokenCount.ToString(CultureInfo.InvariantCulture), w.UsableTokenCount.ToString(CultureInfo.InvariantCulture), w.Description,
            }));
    }

    public void Workload(WorkloadResponse w)
    {
        if (json)
        {
            Object(w, TesseraJsonContext.Default.WorkloadResponse);
            return;
        }
        Fields(("id", w.Id), ("name", w.Name), ("description", w.Description), ("tokens", w.TokenCount.ToString(CultureInfo.InvariantCulture)),
            ("usable", w.UsableTokenCount.ToString(CultureInfo.InvariantCulture)), ("created", Instant(w.CreatedAt)), ("updated", Instant(w.UpdatedAt)));
    }

    public void Keys(IReadOnlyList<LicenseKeyResponse> keys)
    {
        if (json)
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

    public void Audit(IReadOnlyList<AuditEntryResponse> entries)
    {
        if (json)
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
        if (json)
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
        if (json)
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
        if (json)
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
        if (!json)
        {
            writer.WriteLine(text);
        }
    }

    /// <summary>A line written whatever the mode (the one-time secret).</summary>
    public void Always(string text) => writer.WriteLine(text);

    private void Array<T>(IEnumerable<T> items, JsonTypeInfo<T> type) =>
        writer.WriteLine("[" + string.Join(",", items.Select(i => JsonSerializer.Serialize(i, type))) + "]");

    private void Fields(params (string Name, string Value)[] fields)
    {
        var width = fields.Max(f => f.Name.Length);
        foreach (var (name, value) in fields)
        {
            writer.WriteLine($"{(name + ":").PadRight(width + 2)}{value}");
        }
    }

    private void Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Select(r => r.Select(Cell).ToArray()).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        void Write(string[] cells) => writer.WriteLine(string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        Write(header);
        all.ForEach(Write);
        if (all.Count == 0)
        {
            writer.WriteLine("(none)");
        }
    }

    /// <summary>One line per row: line breaks and tabs in notes or descriptions would break the columns.</summary>
    private static string Cell(string value)
    {
        var flat = value.ReplaceLineEndings(" ").Replace('\t', ' ');
        return flat.Length > 60 ? flat[..59] + "…" : flat;
    }

    private static string Instant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
