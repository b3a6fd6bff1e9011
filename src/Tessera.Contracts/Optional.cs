using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>
/// A field of a JSON merge patch (RFC 7396): absent (the default, left out of the JSON and left as it is), or present
/// with a value, which may be null (written as <c>null</c>: clears or unassigns). A plain value converts implicitly,
/// so <c>new UpdateTokenRequest(Name: "alice")</c> sends only the name.
/// </summary>
/// <typeparam name="T">The field's type.</typeparam>
/// <param name="IsSet">Whether the field is present.</param>
/// <param name="Value">The value when present.</param>
[JsonConverter(typeof(OptionalJsonConverterFactory))]
public readonly record struct Optional<T>(bool IsSet, T Value)
{
    /// <summary>The field is left out.</summary>
    public static Optional<T> Absent => default;

    /// <summary>The field is present with <paramref name="value"/> (null included).</summary>
    /// <param name="value">The value.</param>
    public static Optional<T> Of(T value) => new(true, value);

    /// <summary>A present field.</summary>
    /// <param name="value">The value.</param>
    public static implicit operator Optional<T>(T value) => Of(value);
}
