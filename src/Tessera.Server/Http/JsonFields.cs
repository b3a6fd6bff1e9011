using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Core;
using Tessera.Core.Validation;

namespace Tessera.Server.Http;

/// <summary>
/// Typed access to the fields of a JSON object body, telling absent from null (merge patch) and
/// collecting a field error for each wrong type, repeated key or unknown field.
/// </summary>
public sealed partial class JsonFields
{
    public static readonly JsonFields Empty = new(default);

    private readonly Dictionary<string, JsonElement> _fields = new(StringComparer.Ordinal);
    private readonly ValidationErrors _errors = new();

    public JsonFields(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        foreach (var property in root.EnumerateObject())
        {
            if (!_fields.TryAdd(property.Name, property.Value))
            {
                _errors.Add(Redact(property.Name), "Given more than once.");
            }
        }
    }

    /// <summary>A string field: absent, null, or a string; any other JSON type is a field error.</summary>
    public Optional<string?> String(string name)
    {
        if (!_fields.TryGetValue(name, out var value))
        {
            return Optional<string?>.Absent;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return Optional<string?>.Of(null);
            case JsonValueKind.String:
                try
                {
                    return Optional<string?>.Of(value.GetString());
                }
                catch (InvalidOperationException)
                {
                    _errors.Add(name, "Is not a valid Unicode string.");
                    return Optional<string?>.Absent;
                }
            default:
                _errors.Add(name, "Must be a string.");
                return Optional<string?>.Absent;
        }
    }

    /// <summary>A list of strings: absent, null, or an array whose every item is a string; anything else is a field error.</summary>
    public Optional<IReadOnlyList<string>?> StringList(string name)
    {
        if (!_fields.TryGetValue(name, out var value))
        {
            return Optional<IReadOnlyList<string>?>.Absent;
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            return Optional<IReadOnlyList<string>?>.Of(null);
        }
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            _errors.Add(name, "Must be an array of strings.");
            return Optional<IReadOnlyList<string>?>.Absent;
        }
        try
        {
            return Optional<IReadOnlyList<string>?>.Of([.. value.EnumerateArray().Select(item => item.GetString()!)]);
        }
        catch (InvalidOperationException)
        {
            _errors.Add(name, "Is not a valid Unicode string.");
            return Optional<IReadOnlyList<string>?>.Absent;
        }
    }

    /// <summary>
    /// An array of objects: absent, null, or an array whose every item is an object (each read with its own
    /// <see cref="JsonFields"/>); anything else is a field error.
    /// </summary>
    public Optional<IReadOnlyList<JsonFields>?> ObjectList(string name)
    {
        if (!_fields.TryGetValue(name, out var value))
        {
            return Optional<IReadOnlyList<JsonFields>?>.Absent;
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            return Optional<IReadOnlyList<JsonFields>?>.Of(null);
        }
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.Object))
        {
            _errors.Add(name, "Must be an array of objects.");
            return Optional<IReadOnlyList<JsonFields>?>.Absent;
        }
        return Optional<IReadOnlyList<JsonFields>?>.Of([.. value.EnumerateArray().Select(item => new JsonFields(item))]);
    }

    /// <summary>
    /// A whole-number field: absent, null, a JSON integer, or a string of ASCII digits (clients that
    /// type numbers as text send those); anything else is a field error.
    /// </summary>
    public Optional<long?> Integer(string name)
    {
        if (!_fields.TryGetValue(name, out var value))
        {
            return Optional<long?>.Absent;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return Optional<long?>.Of(null);
            case JsonValueKind.Number when value.TryGetInt64(out var number):
                return Optional<long?>.Of(number);
            // The raw text keeps escapes, so an escaped or non-digit string simply fails to parse.
            case JsonValueKind.String when long.TryParse(value.GetRawText().AsSpan()[1..^1], System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var parsed):
                return Optional<long?>.Of(parsed);
            default:
                _errors.Add(name, "Must be a whole number.");
                return Optional<long?>.Absent;
        }
    }

    /// <summary>A true/false field: absent, null, or a JSON boolean; anything else is a field error.</summary>
    public Optional<bool?> Boolean(string name)
    {
        if (!_fields.TryGetValue(name, out var value))
        {
            return Optional<bool?>.Absent;
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return Optional<bool?>.Of(null);
            case JsonValueKind.True or JsonValueKind.False:
                return Optional<bool?>.Of(value.GetBoolean());
            default:
                _errors.Add(name, "Must be true or false.");
                return Optional<bool?>.Absent;
        }
    }

    /// <summary>Refuses every field not in <paramref name="known"/>, then throws if any error was collected.</summary>
    public void Validate(params string[] known)
    {
        foreach (var name in _fields.Keys.Where(n => !known.Contains(n, StringComparer.Ordinal)))
        {
            _errors.Add(Redact(name), $"Unknown field; expected {string.Join(", ", known)}.");
        }
        _errors.ThrowIfAny();
    }

    /// <summary>
    /// Throws if a field read so far had the wrong type, letting unknown fields through: for bodies written by
    /// someone else's protocol (GitHub's leak reports), which may grow fields Tessera does not know yet.
    /// </summary>
    public void ValidateRead() => _errors.ThrowIfAny();

    /// <summary>A field name is echoed in errors; one that holds a secret by mistake is not.</summary>
    private static string Redact(string name) =>
        SecretPattern().Replace(name.Length > 200 ? name[..200] + "…" : name, "ts?_[redacted]");

    [GeneratedRegex("ts[lq]_[0-9A-Za-z]+", RegexOptions.CultureInvariant)]
    private static partial Regex SecretPattern();
}
