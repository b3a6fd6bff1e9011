using System.Collections;
using System.Reflection;
using Tessera.Server.WebConsole;

namespace Tessera.Server.Hosting;

/// <summary>
/// Keys under <c>Tessera:</c> that no settings class binds: the binder ignores them, so a misspelling
/// (<c>Tessera__Databse__Provider</c>) would silently leave the default in force. Each is reported at start
/// as one warning with the closest known key. The known keys are read from the settings classes themselves,
/// so a new setting is known as soon as it has a property.
/// </summary>
public static class UnknownSettings
{
    // Every class bound under Tessera:, with its section. A settings class bound elsewhere belongs here too.
    private static readonly (string Section, Type Type)[] Sections =
    [
        (TesseraSettings.Section, typeof(TesseraSettings)),
        (ConsoleSettings.Section, typeof(ConsoleSettings)),
    ];

    private static readonly Lazy<string[]> KnownKeys = new(() => [.. Sections.SelectMany(s => Leaves(s.Section, s.Type, depth: 0))]);

    /// <summary>Each configured key under Tessera: that no setting reads, with the known key closest to it.</summary>
    public static IReadOnlyList<(string Key, string Closest)> Find(IConfiguration configuration)
    {
        var keys = configuration.GetSection(TesseraSettings.Section).AsEnumerable()
            .Where(pair => pair.Value is not null).Select(pair => pair.Key).ToList();
        // A section itself can carry an empty value (a configuration dump passed back as arguments does that): only leaves count.
        return [.. keys
            .Where(key => !keys.Any(other => other.Length > key.Length + 1 && other.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase)))
            .Where(key => !string.Equals(key, TesseraSettings.Section, StringComparison.OrdinalIgnoreCase) && !IsKnown(key))
            .OrderBy(key => key, StringComparer.OrdinalIgnoreCase)
            .Select(key => (key, Closest(key)))];
    }

    public static void Warn(IConfiguration configuration, ILogger logger)
    {
        foreach (var (key, closest) in Find(configuration))
        {
            logger.LogWarning("Unknown setting {Key} is ignored; did you mean {Closest}?", key, closest);
        }
    }

    private static bool IsKnown(string key) => Sections.Any(s => Matches(key, s.Section, s.Type));

    private static bool Matches(string key, string section, Type type)
    {
        if (!key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var segments = key[(section.Length + 1)..].Split(':');
        var current = type;
        foreach (var segment in segments)
        {
            if (current is null || IsLeaf(current))
            {
                return false;
            }
            if (ElementOf(current) is { } element)
            {
                current = element; // a list's index or a dictionary's key: any segment
                continue;
            }
            current = current.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
        }
        return current is not null && (IsLeaf(current) || ElementOf(current) is not null);
    }

    private static IEnumerable<string> Leaves(string prefix, Type type, int depth)
    {
        if (IsLeaf(type) || depth > 8)
        {
            yield return prefix;
            yield break;
        }
        if (ElementOf(type) is { } element)
        {
            foreach (var leaf in Leaves(prefix + ":0", element, depth + 1))
            {
                yield return leaf;
            }
            yield break;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            foreach (var leaf in Leaves($"{prefix}:{property.Name}", property.PropertyType, depth + 1))
            {
                yield return leaf;
            }
        }
    }

    private static bool IsLeaf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) ||
               type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri);
    }

    private static Type? ElementOf(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[^1]
        : null;

    private static string Closest(string key) =>
        KnownKeys.Value.MinBy(known => Distance(key.ToUpperInvariant(), known.ToUpperInvariant()))!;

    /// <summary>Levenshtein distance: a few lines, and the one measure of "closest" a reader expects.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
