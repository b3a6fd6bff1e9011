using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Validation;

namespace Tessera.Core.Workloads;

/// <summary>The management of workloads: create, read, list, rename/describe, delete (which unassigns its tokens).</summary>
public sealed class WorkloadService(IWorkloadStore store, ITokenChangeListener changes, TimeProvider time)
{
    private const string ListName = "workloads";
    private const string SortName = "name";

    private static readonly ConflictPath<WorkloadView> Conflicts = new("workload", view => view.Workload.Version, RefusalOf);

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

    /// <summary>One page of the caller's workloads, by name (case-insensitive, A→Z).</summary>
    public async Task<Page<WorkloadView>> ListAsync(Caller caller, PageRequest page, CancellationToken cancellationToken)
    {
        page.EnsureValid();
        var found = await store.ListWorkloadsAsync(caller.AccountId, page.Limit, page.After(ListName, SortName, Ids.Workload), Instants.Now(time),
            cancellationToken, caller.WorkloadIds);
        return found.WithCursor(view => new ListCursor(ListName, SortName, view.Workload.Id, null, view.Workload.Name.ToLowerInvariant()));
    }

    /// <summary>Every workload the caller may see, id → name (bulk import checks its rows against them; the CSV export names them).</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesAsync(Caller caller, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var view in PageRequest.AllAsync((page, ct) => ListAsync(caller, page, ct), cancellationToken))
        {
            names[view.Workload.Id] = view.Workload.Name;
        }
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

        return await Conflicts.ChangeAsync(ifMatch, ct => GetAsync(caller, workloadId, ct), async (view, ct) =>
        {
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
                return (SaveResult.Saved, view);
            }
            var result = await store.UpdateWorkloadAsync(view.Workload, ct, WorkloadAudit.Changes(caller, nameBefore, descriptionBefore, view.Workload));
            if (result == SaveResult.Saved)
            {
                view.Workload.MarkSaved();
                // The query side reports the workload's name.
                changes.WorkloadChanged(workloadId);
            }
            return (result, view);
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes the workload; its tokens survive, unassigned (each with its own audit entry). Read first, for the audit entry's
    /// "before"; the delete is pinned to the version read (and to If-Match's, when given).
    /// </summary>
    public Task DeleteAsync(Caller caller, string workloadId, long? ifMatch, CancellationToken cancellationToken) =>
        Conflicts.DeleteAsync(ifMatch, async ct =>
        {
            var view = await GetAsync(caller, workloadId, ct);
            // Deleting a workload unassigns its tokens: that would leave them outside a workload-bound key's workloads.
            caller.EnsureUnbound("This license key is bound to workloads; deleting one would leave its tokens unassigned.");
            return view;
        }, async (view, ct) =>
        {
            var now = Instants.Now(time);
            var result = await store.DeleteWorkloadAsync(caller.AccountId, workloadId, now, ct, [WorkloadAudit.Deleted(caller, view.Workload, now)],
                expectedVersion: view.Workload.Version);
            if (result == SaveResult.Saved)
            {
                changes.WorkloadChanged(workloadId);
            }
            return result;
        }, cancellationToken);

    private static TesseraException RefusalOf(SaveResult result) => result switch
    {
        SaveResult.NotFound => TesseraException.NotFound(ErrorCodes.WorkloadNotFound, "workload"),
        SaveResult.NameTaken => NameTaken(),
        _ => throw new InvalidOperationException($"A workload store answered {result} to a workload change."),
    };

    private static TesseraException NameTaken() =>
        new(ProblemKind.Conflict, ErrorCodes.WorkloadNameTaken, "Another workload of this account already has this name.");
}
