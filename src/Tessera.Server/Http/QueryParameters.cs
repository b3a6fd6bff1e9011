using System.Globalization;
using Tessera.Core;
using Tessera.Core.Validation;

namespace Tessera.Server.Http;

/// <summary>
/// Reads a request's query string strictly: each parameter at most once, only the known ones (a typo
/// is an error, not a silently ignored filter), with one 400 invalid_query listing every problem.
/// </summary>
public sealed class QueryParameters
{
    private readonly IQueryCollection _query;
    private readonly ValidationErrors _errors = new();
    private readonly QueryContract? _contract;

    public QueryParameters(HttpRequest request, QueryContract contract)
        : this(request, contract.Names) =>
        _contract = contract;

    public QueryParameters(HttpRequest request, params string[] known)
    {
        _query = request.Query;
        foreach (var (name, values) in _query)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                _errors.Add(name, $"Unknown parameter; expected one of {string.Join(", ", known)}.");
            }
            else if (values.Count > 1)
            {
                _errors.Add(name, "Given more than once.");
            }
        }
    }

    public string? String(string name) => _query.TryGetValue(name, out var values) ? values[^1] : null;

    public int Int(string name, int fallback) => Whole<int>(name) ?? fallback;

    /// <summary>A 64-bit whole number, or null when absent (a malformed one is an error and null too).</summary>
    public long? Long(string name) => Whole<long>(name);

    private T? Whole<T>(string name)
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        var raw = String(name);
        if (raw is null)
        {
            return null;
        }
        if (T.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }
        _errors.Add(name, "Must be a whole number.");
        return null;
    }

    public DateTimeOffset? Instant(string name)
    {
        var raw = String(name);
        if (raw is null)
        {
            return null;
        }
        if (Instants.TryParse(raw, out var value))
        {
            return value;
        }
        _errors.Add(name, "Must be an RFC 3339 instant with an offset, e.g. 2026-12-01T00:00:00Z.");
        return null;
    }

    public T? Choice<T>(string name, TryParse<T> parse, string expected)
        where T : struct
    {
        var raw = String(name);
        if (raw is null)
        {
            return null;
        }
        if (parse(raw, out var value))
        {
            return value;
        }
        _errors.Add(name, $"Must be one of {expected}.");
        return null;
    }

    /// <summary>A choice among the values the contract lists for <paramref name="name"/> (the same list the OpenAPI enum shows).</summary>
    public T? Choice<T>(string name, TryParse<T> parse)
        where T : struct =>
        Choice(name, parse, string.Join(", ", (_contract ?? throw new InvalidOperationException("No query contract."))[name].Choices!));

    public void ThrowIfInvalid() => _errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);

    public delegate bool TryParse<T>(string? value, out T result);
}
