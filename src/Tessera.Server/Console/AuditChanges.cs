using System.Text.Json;

namespace Tessera.Server.WebConsole;

/// <summary>
/// An audit entry's before and after, field by field, as a person reads them ("status: active → revoked")
/// rather than two JSON objects: the console's Audit page and nothing else.
/// </summary>
public static class AuditChanges
{
    public sealed record Change(string Field, string? Before, string? After);

    public static IReadOnlyList<Change> Of(string? before, string? after)
    {
        var old = Fields(before);
        var now = Fields(after);
        return [.. old.Keys.Concat(now.Keys).Distinct(StringComparer.Ordinal)
            .Select(field => new Change(field, old.GetValueOrDefault(field), now.GetValueOrDefault(field)))];
    }

    private static Dictionary<string, string> Fields(string? json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json is null)
        {
            return fields;
        }
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            fields[property.Name] = Text(property.Value);
        }
        return fields;
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "none",
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Text)),
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(p => $"{p.Name} {Text(p.Value)}")),
        _ => value.GetRawText(),
    };
}
