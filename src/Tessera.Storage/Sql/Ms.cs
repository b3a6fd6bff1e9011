namespace Tessera.Storage.Sql;

/// <summary>Instants as stored: Unix milliseconds, UTC.</summary>
internal static class Ms
{
    public static long Of(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static long? Of(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    public static DateTimeOffset At(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset? At(long? value) => value is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
