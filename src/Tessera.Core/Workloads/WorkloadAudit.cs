using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Events;

namespace Tessera.Core.Workloads;

/// <summary>The audit entries of workload changes: one entry per action, with only the fields it changed.</summary>
internal static class WorkloadAudit
{
    public static AuditEntry Created(Caller caller, Workload w) =>
        AuditEntry.By(caller, w.CreatedAt, AuditActions.WorkloadCreated, w.Id, null, All(w)).About(EventData.Workload(w));

    public static AuditEntry Deleted(Caller caller, Workload w, DateTimeOffset at) =>
        AuditEntry.By(caller, at, AuditActions.WorkloadDeleted, w.Id, All(w), null).About(EventData.Workload(w));

    public static List<AuditEntry> Changes(Caller caller, string nameBefore, string descriptionBefore, Workload after)
    {
        var entries = new List<AuditEntry>();
        if (nameBefore != after.Name)
        {
            entries.Add(AuditEntry.By(caller, after.UpdatedAt, AuditActions.WorkloadRenamed, after.Id,
                new JsonObject { ["name"] = nameBefore }, new JsonObject { ["name"] = after.Name }).About(EventData.Workload(after)));
        }
        if (descriptionBefore != after.Description)
        {
            entries.Add(AuditEntry.By(caller, after.UpdatedAt, AuditActions.WorkloadDescribed, after.Id,
                new JsonObject { ["description"] = descriptionBefore }, new JsonObject { ["description"] = after.Description })
                .About(EventData.Workload(after)));
        }
        return entries;
    }

    private static JsonObject All(Workload w) => new() { ["name"] = w.Name, ["description"] = w.Description };
}
