using Tessera.Core.Audit;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Tokens;

/// <summary>
/// The management of query tokens: issue, read, list, patch, renew, delete. Every write is
/// version-checked; without If-Match a lost race is retried on fresh data, so no field is lost. Every
/// change hands the store its audit entries, which it writes in the change's own transaction.
/// </summary>
public sealed class TokenService(ITokenStore store, ITokenCountStore counts, ITokenChangeListener changes, TimeProvider time, TokenPolicy policy, TokenMetrics metrics)
{
    private const string ListName = "tokens";

    /// <summary>The conflict path of every token change and delete (leak reports included).</summary>
    private static readonly ConflictPath<QueryToken> Conflicts = new("token", t => t.Version, RefusalOf);

    public TimeSpan Lifetime => policy.Lifetime;

    public async Task<IssuedToken> IssueAsync(Caller caller, string? name, string? workloadId, string? note, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var validName = TextRules.Name(name, "name", errors);
        var validNote = TextRules.FreeText(note, "note", errors);
        if (workloadId is not null && !Ids.IsWellFormed(Ids.Workload, workloadId))
        {
            errors.Add("workloadId", Refusals.NoSuch("workload"));
        }
        errors.ThrowIfAny();
        caller.EnsureMayPlaceIn(workloadId);
        var secret = SecretFormat.Generate(SecretKind.QueryToken);
        var token = QueryToken.Issue(caller.AccountId, validName!, validNote!, workloadId, secret, Instants.Now(time), policy.Lifetime);
        AuditEntry[] audit = [TokenAudit.Created(caller, token)];
        var result = await store.InsertTokenAsync(token, cancellationToken, audit);
        if (result == SaveResult.WorkloadMissing)
        {
            throw TesseraException.Invalid("workloadId", Refusals.NoSuch("workload"));
        }
        metrics.Committed(audit);
        changes.TokenChanged(token.Hash);
        return new IssuedToken(token, secret);
    }

    /// <summary>The caller's token; one outside a workload-bound key's workloads (unassigned included) is 404, as another account's.</summary>
    public async Task<QueryToken> GetAsync(Caller caller, string tokenId, CancellationToken cancellationToken) =>
        VisibleTo(caller, Ids.IsWellFormed(Ids.Token, tokenId) ? await store.GetTokenAsync(caller.AccountId, tokenId, cancellationToken) : null);

    /// <summary>The token as the caller may see it: absent, or outside a workload-bound key's workloads, is 404.</summary>
    private static QueryToken VisibleTo(Caller caller, QueryToken? token) =>
        token is not null && caller.Sees(token.WorkloadId) ? token : throw TesseraException.NotFound(ErrorCodes.TokenNotFound, "token");

    /// <summary>
    /// The token a secret belongs to, with its workload's name, without recording a use (an inspection, not a
    /// query). The token must be in the caller's account (404 otherwise, as for any other account's object).
    /// A secret that is its own credential is checked by the query side's verification instead, which has the
    /// memory, the unknown-hash cache and the failure limit this store read has not (issue 13).
    /// </summary>
    public async Task<TokenMatch> DescribeSecretAsync(Caller caller, string? secret, CancellationToken cancellationToken)
    {
        if (!SecretFormat.TryHash(secret, SecretKind.QueryToken, out var hash))
        {
            throw TesseraException.NotFound(ErrorCodes.TokenNotFound, "token");
        }
        var match = await store.FindTokenAsync(hash, cancellationToken);
        if (match is null || match.Token.AccountId != caller.AccountId || !caller.Sees(match.Token.WorkloadId))
        {
            throw TesseraException.NotFound(ErrorCodes.TokenNotFound, "token");
        }
        return match;
    }

    /// <summary>One page of the caller's tokens matching <paramref name="query"/>'s filters (its limit and position are <paramref name="page"/>'s).</summary>
    public async Task<Page<QueryToken>> ListAsync(Caller caller, TokenQuery query, PageRequest page, CancellationToken cancellationToken)
    {
        Check(query, page);
        var after = page.After(ListName, TokenNames.Of(query.Sort), Ids.Token);
        var found = await store.ListTokensAsync(caller.AccountId,
            query with { Now = Instants.Now(time), Limit = page.Limit, After = after, WorkloadIn = caller.WorkloadIds },
            cancellationToken);
        return found.WithCursor(token => CursorAfter(token, query.Sort));
    }

    /// <summary>The caller's tokens by state now (within its workloads, for a bound key), and the usable ones expiring within <paramref name="soon"/>.</summary>
    public Task<TokenCounts> CountAsync(Caller caller, TimeSpan soon, CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        return counts.CountAsync(caller.AccountId, caller.WorkloadIds, now, now + soon, cancellationToken);
    }

    /// <summary>
    /// How many of the caller's tokens match <paramref name="query"/>'s filters (as <see cref="ListAsync"/> would list
    /// them, every page), counted up to <paramref name="cap"/> + 1: more than <paramref name="cap"/> means "more than
    /// that many" (ADR 0021, so the count stays bounded at a million tokens).
    /// </summary>
    public Task<long> CountMatchesAsync(Caller caller, TokenQuery query, int cap, CancellationToken cancellationToken)
    {
        Check(query, page: null);
        return counts.CountMatchesAsync(caller.AccountId, query with { Now = Instants.Now(time), WorkloadIn = caller.WorkloadIds, After = null },
            cap + 1L, cancellationToken);
    }

    /// <summary>Rows per store read of <see cref="ExportAsync"/>: memory stays flat however many tokens match.</summary>
    public const int ExportPage = 1_000;

    /// <summary>
    /// Every token of the caller matching <paramref name="query"/>'s filters, in its sort order, read page by page
    /// through the same keyset list as <see cref="ListAsync"/> (its limit and cursor do not apply): the CSV export.
    /// </summary>
    public async IAsyncEnumerable<QueryToken> ExportAsync(Caller caller, TokenQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The same checks as a page but the limit, which does not apply; the store reads bigger pages.
        Check(query, page: null);
        var page = query with { Now = Instants.Now(time), Limit = ExportPage, WorkloadIn = caller.WorkloadIds };
        while (true)
        {
            var found = await store.ListTokensAsync(caller.AccountId, page, cancellationToken);
            foreach (var token in found.Items)
            {
                yield return token;
            }
            if (!found.HasMore)
            {
                yield break;
            }
            page = page with { After = CursorAfter(found.Items[^1], query.Sort) };
        }
    }

    /// <summary>Refuses a list query's malformed filters (and, for one page, its limit) with one 400 invalid_query.</summary>
    private static void Check(TokenQuery query, PageRequest? page)
    {
        var errors = new ValidationErrors();
        page?.Check(errors);
        if (query.WorkloadId is not null && !Ids.IsWellFormed(Ids.Workload, query.WorkloadId))
        {
            errors.Add("workloadId", "Must be a workload id or 'none'.");
        }
        if (query.NameContains is { Length: > TextRules.NameMax })
        {
            errors.Add("q", $"Must be at most {TextRules.NameMax} characters.");
        }
        errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);
    }

    /// <summary>The keyset position after <paramref name="token"/> in a list sorted by <paramref name="sort"/>.</summary>
    public static ListCursor CursorAfter(QueryToken token, TokenSort sort) => sort switch
    {
        TokenSort.ExpiresAt => new ListCursor(ListName, TokenNames.Of(sort), token.Id, token.ExpiresAt.ToUnixTimeMilliseconds(), null),
        TokenSort.Name => new ListCursor(ListName, TokenNames.Of(sort), token.Id, null, token.Name.ToLowerInvariant()),
        TokenSort.LastUsedAt => new ListCursor(ListName, TokenNames.Of(sort), token.Id, token.LastUsedAt?.ToUnixTimeMilliseconds() ?? -1, null),
        _ => new ListCursor(ListName, TokenNames.Of(sort), token.Id, token.CreatedAt.ToUnixTimeMilliseconds(), null),
    };

    public async Task<QueryToken> UpdateAsync(Caller caller, string tokenId, TokenPatch patch, long? ifMatch, CancellationToken cancellationToken)
    {
        var change = Validate(patch);
        return await ChangeAsync(caller, tokenId, ifMatch, (token, now) =>
        {
            // After the token was found (a token the key cannot see stays 404), before anything is applied.
            if (patch.WorkloadId.IsSet)
            {
                caller.EnsureMayPlaceIn(patch.WorkloadId.Value);
            }
            change(token, now);
        }, renewal: false, cancellationToken);
    }

    public Task<QueryToken> RenewAsync(Caller caller, string tokenId, long? ifMatch, CancellationToken cancellationToken) =>
        ChangeAsync(caller, tokenId, ifMatch, (token, now) => token.Renew(now, policy.Lifetime), renewal: true, cancellationToken);

    /// <summary>
    /// Deletes the token. Read first: memory is keyed by the secret's hash, which only the stored token knows. The delete is
    /// pinned to the version read, so the audit entry's "before" is exactly what was deleted.
    /// </summary>
    public Task DeleteAsync(Caller caller, string tokenId, long? ifMatch, CancellationToken cancellationToken) =>
        Conflicts.DeleteAsync(ifMatch, ct => GetAsync(caller, tokenId, ct), async (token, ct) =>
        {
            AuditEntry[] audit = [TokenAudit.Deleted(caller, token, Instants.Now(time))];
            var result = await store.DeleteTokenAsync(caller.AccountId, tokenId, token.Version, ct, audit);
            if (result == SaveResult.Saved)
            {
                metrics.Committed(audit);
                changes.TokenChanged(token.Hash);
            }
            return result;
        }, cancellationToken);

    /// <summary>A caller's change: the token must be in the caller's account; one audit entry per changed field group.</summary>
    private Task<QueryToken> ChangeAsync(Caller caller, string tokenId, long? ifMatch, Action<QueryToken, DateTimeOffset> apply, bool renewal,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(Ids.Token, tokenId))
        {
            throw TesseraException.NotFound(ErrorCodes.TokenNotFound, "token");
        }
        return ChangeAsync(caller.AccountId, tokenId, ifMatch, (token, now) =>
        {
            var before = TokenAudit.Fields.Of(VisibleTo(caller, token));
            apply(token, now);
            return TokenAudit.Changes(caller, before, token, renewal);
        }, cancellationToken);
    }

    /// <summary>
    /// A token change through the one conflict path: read, apply (which returns the change's audit entries), save with a
    /// version check; retried on a lost race unless the caller pinned a version. Also used by leak reports
    /// (<see cref="Leaks.LeakService"/>), whose reporter is not in the token's account.
    /// </summary>
    internal Task<QueryToken> ChangeAsync(string accountId, string tokenId, long? ifMatch,
        Func<QueryToken, DateTimeOffset, IReadOnlyList<AuditEntry>> apply, CancellationToken cancellationToken) =>
        Conflicts.ChangeAsync(ifMatch,
            async ct => await store.GetTokenAsync(accountId, tokenId, ct) ?? throw TesseraException.NotFound(ErrorCodes.TokenNotFound, "token"),
            async (token, ct) =>
            {
                var audit = apply(token, Instants.Now(time));
                if (!token.HasChanges)
                {
                    return (SaveResult.Saved, token);
                }
                var result = await store.UpdateTokenAsync(token, ct, audit);
                if (result == SaveResult.Saved)
                {
                    metrics.Committed(audit);
                    token.MarkSaved();
                    // This server answers the very next verification from the store; others follow the change feed.
                    changes.TokenChanged(token.Hash);
                }
                return (result, token);
            }, cancellationToken);

    private static TesseraException RefusalOf(SaveResult result) => result switch
    {
        SaveResult.NotFound => TesseraException.NotFound(ErrorCodes.TokenNotFound, "token"),
        SaveResult.WorkloadMissing => TesseraException.Invalid("workloadId", Refusals.NoSuch("workload")),
        _ => throw new InvalidOperationException($"A token store answered {result} to a token change."),
    };

    /// <summary>Checks a patch's values up front (all errors at once) and returns how to apply it.</summary>
    private Action<QueryToken, DateTimeOffset> Validate(TokenPatch patch)
    {
        var errors = new ValidationErrors();
        string? name = null, note = null, workloadId = null;
        TokenStatus? status = null;
        DateTimeOffset? expiresAt = null;
        if (patch.Name.IsSet)
        {
            name = patch.Name.Value is null ? Null(errors, "name", "A token always has a name.") : TextRules.Name(patch.Name.Value, "name", errors);
        }
        if (patch.Note.IsSet)
        {
            note = TextRules.FreeText(patch.Note.Value, "note", errors);
        }
        if (patch.WorkloadId.IsSet && patch.WorkloadId.Value is not null)
        {
            workloadId = patch.WorkloadId.Value;
            if (!Ids.IsWellFormed(Ids.Workload, workloadId))
            {
                errors.Add("workloadId", Refusals.NoSuch("workload"));
            }
        }
        if (patch.Status.IsSet)
        {
            if (TokenNames.TryParseStatus(patch.Status.Value, out var parsed))
            {
                status = parsed;
            }
            else
            {
                errors.Add("status", "Must be 'active' or 'cancelled'.");
            }
        }
        if (patch.ExpiresAt.IsSet)
        {
            if (patch.ExpiresAt.Value is null)
            {
                errors.Add("expiresAt", "A token always expires; give an instant.");
            }
            else if (Instants.TryParse(patch.ExpiresAt.Value, out var parsed))
            {
                expiresAt = parsed;
            }
            else
            {
                errors.Add("expiresAt", "Must be an RFC 3339 instant with an offset, e.g. 2026-12-01T12:00:00Z.");
            }
        }
        errors.ThrowIfAny();

        return (token, now) =>
        {
            // Status first, so a patch may reactivate and set an expiry in one request.
            if (status is { } s)
            {
                token.SetStatus(s, now);
            }
            if (name is not null)
            {
                token.Rename(name, now);
            }
            if (note is not null)
            {
                token.SetNote(note, now);
            }
            if (patch.WorkloadId.IsSet)
            {
                if (workloadId is null)
                {
                    token.Unassign(now);
                }
                else
                {
                    token.AssignTo(workloadId, now);
                }
            }
            if (expiresAt is { } at)
            {
                token.SetExpiry(at, now, policy.Lifetime);
            }
        };
    }

    private static string? Null(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return null;
    }
}
