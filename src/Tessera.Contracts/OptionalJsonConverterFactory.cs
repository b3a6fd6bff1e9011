using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>
/// Reads and writes an <see cref="Optional{T}"/> as its value: a property present in the JSON (null included) is set,
/// one left out keeps the default, absent. Writing an absent field is left to the property's
/// <c>JsonIgnore(Condition = WhenWritingDefault)</c>, which every patch record declares.
/// </summary>
public sealed class OptionalJsonConverterFactory : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    /// <inheritdoc />
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "Optional<T> of a type the context already describes.")]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Optional<T> of a type the context already describes.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Optional<T> of a type the context already describes.")]
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalJsonConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalJsonConverter<T> : JsonConverter<Optional<T>>
    {
        // Called for a JSON null too: a present null is a value of its own (clear, unassign).
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Optional<T>.Of(JsonSerializer.Deserialize(ref reader, Info(options))!);

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, Info(options));

        private static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info(JsonSerializerOptions options) =>
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }
}
