using System.Text.Json.Nodes;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Whether a JSON value is what a schema of the API description says: every field it has is a declared property,
/// every required property is there, and so on down objects and arrays. Schemas are followed through
/// <c>$ref</c> to the document's components. Enough of JSON Schema for the shapes the document declares.
/// </summary>
internal static class OpenApiSchemaConformance
{
    /// <summary>The ways <paramref name="value"/> departs from <paramref name="schema"/>; empty when it conforms.</summary>
    public static List<string> Departures(JsonNode document, JsonNode schema, JsonNode? value, string path = "$")
    {
        var departures = new List<string>();
        Check(document, schema, value, path, departures);
        return departures;
    }

    private static void Check(JsonNode document, JsonNode schema, JsonNode? value, string path, List<string> departures)
    {
        schema = Resolve(document, schema);
        foreach (var part in schema["allOf"]?.AsArray() ?? [])
        {
            Check(document, part!, value, path, departures);
        }
        if ((schema["oneOf"] ?? schema["anyOf"])?.AsArray() is { } choices)
        {
            // Conforms when one choice fits; otherwise the departures from the choice that fits best.
            var best = choices.Select(c => Departures(document, c!, value, path)).MinBy(d => d.Count) ?? [];
            departures.AddRange(best);
            return;
        }
        if (value is null)
        {
            if (!Types(schema).Contains("null") && Types(schema).Count > 0)
            {
                departures.Add($"{path}: null, but the schema allows only {string.Join("|", Types(schema))}");
            }
            return;
        }
        if (schema["properties"] is JsonObject properties)
        {
            if (value is not JsonObject json)
            {
                departures.Add($"{path}: expected an object, got {value.GetValueKind()}");
                return;
            }
            foreach (var (name, field) in json)
            {
                if (properties[name] is { } property)
                {
                    Check(document, property, field, $"{path}.{name}", departures);
                }
                else if (schema["additionalProperties"] is null or JsonValue)
                {
                    departures.Add($"{path}.{name}: not a property of the schema");
                }
            }
            foreach (var required in schema["required"]?.AsArray().Select(r => (string)r!) ?? [])
            {
                if (!json.ContainsKey(required))
                {
                    departures.Add($"{path}.{required}: required, but missing");
                }
            }
            return;
        }
        if (schema["items"] is { } items)
        {
            if (value is not JsonArray array)
            {
                departures.Add($"{path}: expected an array, got {value.GetValueKind()}");
                return;
            }
            for (var i = 0; i < array.Count; i++)
            {
                Check(document, items, array[i], $"{path}[{i}]", departures);
            }
            return;
        }
        var kind = value.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => "string",
            System.Text.Json.JsonValueKind.Number => "number",
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "boolean",
            System.Text.Json.JsonValueKind.Array => "array",
            _ => "object",
        };
        var allowed = Types(schema);
        if (allowed.Count > 0 && !allowed.Contains(kind) && !(kind == "number" && allowed.Contains("integer")))
        {
            departures.Add($"{path}: a {kind}, but the schema allows only {string.Join("|", allowed)}");
        }
    }

    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        while ((string?)schema["$ref"] is { } reference)
        {
            schema = reference.TrimStart('#', '/').Split('/').Aggregate(document, (node, segment) => node[segment]!);
        }
        return schema;
    }

    private static HashSet<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => (string)t!)],
        JsonValue one => [(string)one!],
        _ => [],
    };
}
