using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Validation;

namespace Tessera.Core.Workloads;

/// <summary>The management of workloads: create, read, list, rename/describe, delete (which unassigns its tokens).</summary>
public sealed class WorkloadService(IWorkloadStore store, ITokenChangeListener changes, TimeProvider time)
{
    private const int MaxAttempts = 5;
    private const string ListName = "workloads";
    private const string SortName = "name";

    public async Task<WorkloadView> CreateAsync(Caller caller, string? name, string? description, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var validName = TextRules.Name(name, "name", errors);
        var validDescription = TextRules.FreeText(description, "description", errors);
        errors.ThrowIfAny();
        // A new workload is outside every workload-bound key's list (API.md §8).
        caller.EnsureUnbound("This license key is bound to workloads; it cannot create workloads.");
        var workload = Workload.Create(caller.AccountId, validName!, validDescription!, Instants.Now(time));
        var result = await store.InsertWorkloadAsync(workload, cancellationToken, [WorkloadAudit.Created(caller, workload)]);
        if (result == SaveResult.NameTaken)
        {
            throw NameTaken();
        }
        return new WorkloadView(workload, 0, 0);
    }

    public async Task<WorkloadView> GetAsync(Caller caller, string workloadId, CancellationToken cancellationToken) =>
        (Ids.IsWellFormed(Ids.Workload, workloadId) && caller.Sees(workloadId)
            ? await store.GetWorkloadAsync(caller.AccountId, workloadId, Instants.Now(time), cancellationToken)
            : null)
        ?? throw TesseraException.NotFound(ErrorCodes.WorkloadNotFound, "workload");

    public async Task<(IReadOnlyList<WorkloadView> Items, string? NextCursor)> ListAsync(Caller caller, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > Tokens.TokenService.MaxLimit)
        {
            var errors = new ValidationErrors();
            errors.Add("limit", $"Must be between 1 and {Tokens.TokenService.MaxLimit}.");
            errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);
        }
        var after = cursor is null ? null : ListCursor.Decode(cursor, ListName, SortName, Ids.Workload);
        var page = await store.ListWorkloadsAsync(caller.AccountId, limit, after, Instants.Now(time), cancellationToken, caller.WorkloadIds);
        var next = page.HasMore
            ? new ListCursor(ListName, SortName, page.Items[^1].Workload.Id, null, page.Items[^1].Workload.Name.ToLowerInvariant()).Encode()
            : null;
        return (page.Items, next);
    }

    /// <summary>Every workload the caller may see, id → name (bulk import checks its rows against them; the CSV export names them).</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(Caller caller, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var (items, next) = await ListAsync(caller, Tokens.TokenService.MaxLimit, cursor, cancellationToken);
            foreach (var view in items)
            {
                names[view.Workload.Id] = view.Workload.Name;
            }
            cursor = next;
        }
        while (cursor is not null);
        return names;
    }

    public async Task<WorkloadView> UpdateAsync(Caller caller, string workloadId, WorkloadPatch patch, long? ifMatch, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        string? name = null, description = null;
        if (patch.Name.IsSet)
        {
            if (patch.Name.Value is null)
            {
                errors.Add("name", "A workload always has a name.");
            }
            else
            {
                name = TextRules.Name(patch.Name.Value, "name", errors);
            }
        }
        if (patch.Description.IsSet)
        {
            description = TextRules.FreeText(patch.Description.Value, "description", errors);
        }
        errors.ThrowIfAny();

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var view = await GetAsync(caller, workloadId, cancellationToken);
            if (ifMatch is { } expected && view.Workload.Version != expected)
            {
                throw TesseraException.Stale();
            }
            var now = Instants.Now(time);
            var (nameBefore, descriptionBefore) = (view.Workload.Name, view.Workload.Description);
            if (name is not null)
            {
                view.Workload.Rename(name, now);
            }
            if (description is not null)
            {
                view.Workload.Describe(description, now);
            }
            if (!view.Workload.HasChanges)
            {
                return view;
            }
            switch (await store.UpdateWorkloadAsync(view.Workload, cancellationToken,
                WorkloadAudit.Changes(caller, nameBefore, descriptionBefore, view.Workload)))
            {
                case SaveResult.Saved:
                    view.Workload.MarkSaved();
                    // The query side reports the workload's name.
                    changes.WorkloadChanged(workloadId);
                    return view;
                case SaveResult.NotFound:
                    throw TesseraException.NotFound(ErrorCodes.WorkloadNotFound, "workload");
                case SaveResult.NameTaken:
                    throw NameTaken();
                case SaveResult.VersionConflict when ifMatch is not null:
                    throw TesseraException.Stale();
            }
        }
        throw new TesseraException(ProblemKind.Conflict, ErrorCodes.ConcurrentModification,
            "The workload kept changing while this change was applied; try again.");
    }

    /// <summary>Deletes the workload; its tokens survive, unassigned (each with its own audit entry).</summary>
    public async Task DeleteAsync(Caller caller, string workloadId, CancellationToken cancellationToken)
    {
        // Read first, for the audit entry's "before" (what was deleted).
        var view = await GetAsync(caller, workloadId, cancellationToken);
        // Deleting a workload unassigns its tokens: that would leave them outside a workload-bound key's workloads.
        caller.EnsureUnbound("This license key is bound to workloads; deleting one would leave its tokens unassigned.");
        var now = Instants.Now(time);
        if (await store.DeleteWorkloadAsync(caller.AccountId, workloadId, now, cancellationToken,
                [WorkloadAudit.Deleted(caller, view.Workload, now)]) == SaveResult.NotFound)
        {
            throw TesseraException.NotFound(ErrorCodes.WorkloadNotFound, "workload");
        }
        changes.WorkloadChanged(workloadId);
    }

    private static TesseraException NameTaken() =>
        new(ProblemKind.Conflict, ErrorCodes.WorkloadNameTaken, "Another workload of this account already has this name.");
}
