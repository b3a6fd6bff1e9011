using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Audit;

/// <summary>
/// Reading the audit trail (the API's <c>GET /v1/audit</c> and the console's Activity view), recording
/// console sign-ins, and pruning past the retention. Entries about changes are written by the stores,
/// in the change's transaction; see ADR 0008.
/// </summary>
public sealed class AuditService(IAuditStore store, AuditOptions options, TimeProvider time)
{
    private const string ListName = "audit";
    private const string SortName = "at";
    private const int MaxObjectIdLength = 100;

    /// <summary>
    /// One page of the caller's account's entries matching <paramref name="query"/>'s filters, newest first (its limit and
    /// position are <paramref name="page"/>'s). Another account's entries never appear.
    /// </summary>
    public async Task<Page<AuditEntry>> ListAsync(Caller caller, AuditQuery query, PageRequest page, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        page.Check(errors);
        if (query.Action is { } action && !AuditActions.All.Contains(action, StringComparer.Ordinal))
        {
            errors.Add("action", $"Must be one of {string.Join(", ", AuditActions.All)}.");
        }
        if (query.ObjectId is { Length: 0 or > MaxObjectIdLength })
        {
            errors.Add("objectId", $"Must be an id of 1 to {MaxObjectIdLength} characters.");
        }
        if (query.ActorId is { Length: 0 or > MaxObjectIdLength })
        {
            errors.Add("actorId", $"Must be an id of 1 to {MaxObjectIdLength} characters.");
        }
        errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);
        // The trail spans the whole account (every workload, every key): not for a key that may see a few workloads.
        caller.EnsureUnbound("This license key is bound to workloads; the audit trail covers the whole account.");
        var found = await store.ListAsync(caller.AccountId, query with { Limit = page.Limit, After = page.After(ListName, SortName, Ids.Audit) },
            cancellationToken);
        return found.WithCursor(entry => new ListCursor(ListName, SortName, entry.Id, entry.At.ToUnixTimeMilliseconds(), null));
    }

    /// <summary>
    /// Records a console sign-in attempt. <paramref name="accountId"/> is the account signed in to, or
    /// tried (null when the presented credential names none: such an entry is kept for operators but
    /// shows in no account's trail). <paramref name="sessionId"/> is the new session's public id, never
    /// its cookie; <paramref name="reason"/> a short machine word for a failure (e.g. an error code).
    /// </summary>
    public Task RecordSignInAsync(string? accountId, bool succeeded, string? sessionId, string? clientIp, string? reason,
        CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        var entry = new AuditEntry(Ids.New(Ids.Audit, now), accountId, now,
            succeeded ? AuditActors.ConsoleSession : AuditActors.Anonymous, succeeded ? sessionId : null,
            succeeded ? AuditActions.ConsoleSignedIn : AuditActions.ConsoleSignInFailed, accountId, null,
            AuditEntry.Text(reason is null ? null : new JsonObject { ["reason"] = reason }), clientIp);
        return store.AppendAsync(entry, cancellationToken);
    }

    /// <summary>
    /// Deletes every entry older than the retention, in batches of at most <see cref="AuditOptions.PruneBatchSize"/>
    /// (each its own short transaction); returns how many were deleted.
    /// </summary>
    public Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var before = Instants.Now(time) - options.Retention;
        return Pruning.InBatchesAsync((limit, ct) => store.PruneAsync(before, limit, ct), options.PruneBatchSize, cancellationToken);
    }
}
