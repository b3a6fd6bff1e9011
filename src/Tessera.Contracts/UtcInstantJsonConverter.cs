using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>Writes instants as RFC 3339 UTC with a <c>Z</c> and milliseconds; reads any RFC 3339 instant.</summary>
public sealed class UtcInstantJsonConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
