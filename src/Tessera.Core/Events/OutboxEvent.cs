namespace Tessera.Core.Events;

/// <summary>An event as the outbox stores it: the payload's type, instant and data (JSON text), under its <c>evt_</c> id.</summary>
public sealed record OutboxEvent(string Id, string AccountId, string Type, DateTimeOffset At, string Data)
{
    public static OutboxEvent Of(string accountId, string type, DateTimeOffset at, System.Text.Json.Nodes.JsonObject data) =>
        new(Ids.New(Ids.Event, at), accountId, type, at, Audit.AuditEntry.Text(data)!);
}
