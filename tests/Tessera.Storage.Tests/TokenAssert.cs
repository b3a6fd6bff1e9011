using System.Reflection;
using Tessera.Core.Tokens;

namespace Tessera.Storage.Tests;

/// <summary>Compares every public property of two tokens, so a field the store forgets cannot slip through.</summary>
internal static class TokenAssert
{
    private static readonly PropertyInfo[] Properties = typeof(QueryToken).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    public static void AllPropertiesEqual(QueryToken expected, QueryToken? actual)
    {
        Assert.NotNull(actual);
        Assert.True(Properties.Length >= 15, "QueryToken has at least 15 public properties to compare");
        foreach (var property in Properties)
        {
            var want = property.GetValue(expected);
            var got = property.GetValue(actual);
            Assert.True(Equals(want, got), $"{property.Name}: expected {want}, got {got}");
        }
    }
}
