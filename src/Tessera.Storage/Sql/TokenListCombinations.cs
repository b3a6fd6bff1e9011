using Tessera.Core.Storage;
using Tessera.Core.Tokens;

namespace Tessera.Storage.Sql;

/// <summary>
/// Every combination of token list filters, sort and page that the API allows (GET /v1/tokens, the console and
/// Lattica's list_tokens all build a <see cref="TokenQuery"/>): the access paths migration 0007's indexes are designed
/// for. The plan tests assert an index answers each; bench/lists.sh times each. The values of each dimension come from
/// the enums the API parses (<see cref="TokenStatus"/>, <see cref="TokenState"/>, <see cref="TokenSort"/>), and a test
/// checks that every settable member of <see cref="TokenQuery"/> varies here, so a new filter cannot be left out.
/// </summary>
internal static class TokenListCombinations
{
    /// <summary>The values a list is tried with: a workload of the account, names to search for, instants to bound by.</summary>
    public sealed record Values(string WorkloadId, IReadOnlyList<string> Names, DateTimeOffset CreatedFrom, DateTimeOffset CreatedTo,
        DateTimeOffset ExpiresBefore, DateTimeOffset Now);

    /// <summary>Each combination's first page; <see cref="CursorPage"/> makes the page after a given row.</summary>
    /// <param name="values">The workload, names and instants to try.</param>
    /// <param name="eachBoundAlone">Also createdFrom and createdTo each alone (the plan tests); without, the two together only (the benchmark).</param>
    public static IEnumerable<TokenQuery> FirstPages(Values values, bool eachBoundAlone = true)
    {
        TokenQuery[] workloads =
        [
            new(),
            new() { WorkloadId = values.WorkloadId },
            new() { UnassignedOnly = true },
            new() { WorkloadIn = [values.WorkloadId] },
        ];
        TokenStatus?[] statuses = [null, .. Enum.GetValues<TokenStatus>()];
        TokenState?[] states = [null, .. Enum.GetValues<TokenState>()];
        string?[] names = [null, .. values.Names];
        (DateTimeOffset? From, DateTimeOffset? To, DateTimeOffset? Before)[] bounds = eachBoundAlone
            ? [(null, null, null), (values.CreatedFrom, null, null), (null, values.CreatedTo, null), (values.CreatedFrom, values.CreatedTo, null), (null, null, values.ExpiresBefore)]
            : [(null, null, null), (values.CreatedFrom, values.CreatedTo, null), (null, null, values.ExpiresBefore)];
        foreach (var workload in workloads)
        {
            foreach (var status in statuses)
            {
                foreach (var state in states)
                {
                    foreach (var name in names)
                    {
                        foreach (var (from, to, before) in bounds)
                        {
                            foreach (var sort in Enum.GetValues<TokenSort>())
                            {
                                yield return workload with
                                {
                                    Status = status,
                                    State = state,
                                    NameContains = name,
                                    CreatedFrom = from,
                                    CreatedTo = to,
                                    ExpiresBefore = before,
                                    Sort = sort,
                                    Now = values.Now,
                                };
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The page of <paramref name="query"/> after <paramref name="last"/>, as the API's cursor would ask for it.</summary>
    public static TokenQuery CursorPage(TokenQuery query, QueryToken last) => query with { After = TokenService.CursorAfter(last, query.Sort) };

    /// <summary>A short label: the query string the API would be given (the instants and ids as placeholders).</summary>
    public static string Label(TokenQuery query)
    {
        var parts = new List<string>();
        if (query.UnassignedOnly)
        {
            parts.Add("workloadId=none");
        }
        else if (query.WorkloadId is not null)
        {
            parts.Add("workloadId=<id>");
        }
        if (query.WorkloadIn is not null)
        {
            parts.Add("(workload-bound key)");
        }
        if (query.Status is { } status)
        {
            parts.Add("status=" + TokenNames.Of(status));
        }
        if (query.State is { } state)
        {
            parts.Add("state=" + TokenNames.Of(state));
        }
        if (query.NameContains is { } name)
        {
            parts.Add("q=" + name);
        }
        if (query.CreatedFrom is not null)
        {
            parts.Add("createdFrom");
        }
        if (query.CreatedTo is not null)
        {
            parts.Add("createdTo");
        }
        if (query.ExpiresBefore is not null)
        {
            parts.Add("expiresBefore");
        }
        parts.Add("sort=" + TokenNames.Of(query.Sort));
        if (query.After is not null)
        {
            parts.Add("cursor");
        }
        return string.Join('&', parts);
    }
}
