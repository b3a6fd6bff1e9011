namespace Tessera.Core;

/// <summary>A field of a merge patch: absent, or present with a value (which may be null).</summary>
public readonly record struct Optional<T>(bool IsSet, T Value)
{
    public static Optional<T> Absent => default;

    public static Optional<T> Of(T value) => new(true, value);
}
