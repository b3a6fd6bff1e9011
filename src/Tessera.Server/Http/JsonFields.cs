using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Tessera.Contracts;
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
    private readonly JsonElement _root;

    public JsonFields(JsonElement root)
    {
        _root = root;
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

    /// <summary>
    /// An instant field: absent, null, or a string holding an RFC 3339 instant with an offset (as the use cases parse it);
    /// another JSON type, or a string that is no such instant, is a field error.
    /// </summary>
    public Optional<DateTimeOffset?> Instant(string name)
    {
        var text = String(name);
        if (!text.IsSet || text.Value is null)
        {
            return text.IsSet ? Optional<DateTimeOffset?>.Of(null) : Optional<DateTimeOffset?>.Absent;
        }
        if (Instants.TryParse(text.Value, out var instant))
        {
            return Optional<DateTimeOffset?>.Of(instant);
        }
        _errors.Add(name, Refusals.NotAnInstant);
        return Optional<DateTimeOffset?>.Absent;
    }

    /// <summary>
    /// The body as the wire record <typeparamref name="T"/> (a Contracts request): each of its properties is read with the
    /// reader of its type (<see cref="WireField"/>), so a wrong type, a repeated or an unknown field is the same field
    /// error as when a handler read them one by one; only a body with none is deserialized, instants as the use cases parse them.
    /// <paramref name="kinds"/> are <paramref name="info"/>'s properties' kinds, in order (<see cref="WireField.KindsOf"/>, worked out once per record).
    /// </summary>
    public T Bind<T>(JsonTypeInfo<T> info, IReadOnlyList<WireFieldKind> kinds)
    {
        var instants = new List<(string Name, DateTimeOffset Value)>();
        for (var i = 0; i < kinds.Count; i++)
        {
            var property = info.Properties[i];
            switch (kinds[i])
            {
                case WireFieldKind.Text:
                    String(property.Name);
                    break;
                case WireFieldKind.TextList:
                    StringList(property.Name);
                    break;
                case WireFieldKind.Boolean:
                    Boolean(property.Name);
                    break;
                case WireFieldKind.Instant:
                    if (Instant(property.Name) is { IsSet: true, Value: { } instant })
                    {
                        instants.Add((property.Name, instant));
                    }
                    break;
            }
        }
        Validate([.. info.Properties.Select(p => p.Name)]);
        if (instants.Count == 0)
        {
            return _root.Deserialize(info)!;
        }
        // The wire converter reads a narrower set of instant spellings than RFC 3339 (a lowercase t, long fractions):
        // hand it the instant the use cases' parser read, in the one form every reader takes.
        var body = JsonObject.Create(_root)!;
        foreach (var (name, value) in instants)
        {
            body[name] = Instants.Format(value);
        }
        return body.Deserialize(info)!;
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
