using System.Globalization;
using System.Text.Json;

namespace Tessera.Server.WebConsole;

/// <summary>
/// An audit entry's before and after, field by field, as a person reads them ("Workload: llama-3 → Unassigned") rather
/// than two JSON objects: labels instead of property names, workload names instead of ids where the page knows them,
/// instants in the console's one format, and of an update only the fields that changed. The Audit page and the
/// Activity sections render it through the _Changes partial.
/// </summary>
public static class AuditChanges
{
    public sealed record Change(string Field, string? Before, string? After);

    /// <summary>What a page passes to the _Changes partial.</summary>
    public sealed record View(string? Before, string? After, IReadOnlyDictionary<string, string>? WorkloadNames = null);

    public static IReadOnlyList<Change> Of(string? before, string? after, IReadOnlyDictionary<string, string>? workloadNames = null)
    {
        var old = Fields(before, workloadNames);
        var now = Fields(after, workloadNames);
        var bothSides = before is not null && after is not null;
        return [.. old.Keys.Concat(now.Keys).Distinct(StringComparer.Ordinal)
            .Where(field => !bothSides || old.GetValueOrDefault(field) != now.GetValueOrDefault(field))
            .Select(field => new Change(Label(field), old.GetValueOrDefault(field), now.GetValueOrDefault(field)))];
    }

    /// <summary>"workloadId" → "Workload", "expiresAt" → "Expires at", "scopes" → "Scopes".</summary>
    public static string Label(string field)
    {
        var name = field.EndsWith("Id", StringComparison.Ordinal) && field.Length > 2 ? field[..^2] : field;
        name = name == "workloadIds" ? "workloads" : name;
        var words = string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static Dictionary<string, string> Fields(string? json, IReadOnlyDictionary<string, string>? workloadNames)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json is null)
        {
            return fields;
        }
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            fields[property.Name] = property.Name switch
            {
                "workloadId" when property.Value.ValueKind == JsonValueKind.Null => "Unassigned",
                "workloadId" or "workloadIds" => Text(property.Value, id => workloadNames?.GetValueOrDefault(id) ?? id),
                _ => Text(property.Value, static s => s),
            };
        }
        return fields;
    }

    private static string Text(JsonElement value, Func<string, string> name) => value.ValueKind switch
    {
        JsonValueKind.Null => "none",
        JsonValueKind.String when value.GetString() is { } s && s.Length >= 20 && s[10] == 'T' &&
                                  DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) => ConsoleHtml.Exact(at),
        JsonValueKind.String when value.GetString() == "" => "(empty)",
        JsonValueKind.String => name(value.GetString()!),
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(v => Text(v, name))),
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(p => $"{p.Name} {Text(p.Value, name)}")),
        _ => value.GetRawText(),
    };
}
