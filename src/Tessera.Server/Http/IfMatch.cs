using System.Globalization;
using Tessera.Core;

namespace Tessera.Server.Http;

/// <summary>The ETag of a versioned object is its version in quotes; If-Match names the version a change is based on.</summary>
public static class IfMatch
{
    public static string ETag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>The version in If-Match, or null when absent or <c>*</c>. A malformed value is 400 invalid_if_match.</summary>
    public static long? Version(HttpRequest request)
    {
        var values = request.Headers.IfMatch;
        if (values.Count == 0)
        {
            return null;
        }
        var value = values.Count == 1 ? values[0]?.Trim() : null;
        if (value == "*")
        {
            return null;
        }
        if (value is { Length: >= 3 } && value[0] == '"' && value[^1] == '"' &&
            long.TryParse(value.AsSpan(1, value.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return version;
        }
        throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidIfMatch,
            "If-Match must be one strong ETag as returned by Tessera, e.g. \"3\".");
    }
}
