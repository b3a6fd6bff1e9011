using System.Text.Json;
using Tessera.Contracts;

namespace Tessera.Cli.Tests;

/// <summary>
/// Issue 14: <c>tessera webhooks create|list|show|update|delete|test|rotate-secret|deliveries|retry</c>, in-process, against a real
/// server process delivering to a real loopback receiver that checks each signature with the StandardWebhooks package.
/// </summary>
public sealed class WebhooksCliTests(WebhookProcessServer server) : IClassFixture<WebhookProcessServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) => CliRun.AgainstAsync(server.Url, server.LicenseKey, args);

    private async Task<T> JsonAsync<T>(params string[] args)
    {
        var (exit, output, error) = await RunAsync([.. args, "--json"]);
        Assert.True(exit == 0, $"tessera {string.Join(' ', args)}: exit {exit}: {error}");
        return JsonSerializer.Deserialize<T>(output, Json)!;
    }

    [Fact]
    public async Task An_endpoint_is_created_with_its_secret_once_listed_shown_updated_tested_rotated_and_deleted()
    {
        var path = Guid.NewGuid().ToString("N");
        var url = server.Receiver.Answer(path);

        // Human output: the fields, then the secret on its own last line, printed this once.
        var created = await RunAsync("webhooks", "create", url, "--event", "token.cancelled", "--event", "token.created", "--description", "billing", "--format", "table");
        Assert.True(created.Exit == 0, created.Error);
        var secret = created.Out.TrimEnd().Split('\n')[^1];
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Contains("The signing secret, shown only this once:", created.Out, StringComparison.Ordinal);
        var id = created.Out.Split('\n').Single(l => l.StartsWith("id:", StringComparison.Ordinal))[3..].Trim();
        Assert.StartsWith("wh_", id, StringComparison.Ordinal);
        server.Receiver.Trust(path, secret);

        var list = await RunAsync("webhooks", "list");
        Assert.True(list.Exit == 0, list.Error);
        var row = list.Out.Split('\n').Single(l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.True(row.Contains("token.created token.cancelled", StringComparison.Ordinal), list.Out);
        Assert.Contains(url, row, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", list.Out, StringComparison.Ordinal);
        var shown = await JsonAsync<WebhookResponse>("webhooks", "show", id);
        Assert.Equal((id, url, "billing", true), (shown.Id, shown.Url, shown.Description, shown.Enabled));
        Assert.Equal(["token.created", "token.cancelled"], shown.Events); // the server keeps them in the API's order of types
        Assert.DoesNotContain("whsec_", (await RunAsync("webhooks", "show", id, "--json")).Out, StringComparison.Ordinal);

        var updated = await JsonAsync<WebhookResponse>("webhooks", "update", id, "--event", "*", "--description", "everything", "--disable");
        Assert.Equal(["*"], updated.Events);
        Assert.Equal(("everything", false), (updated.Description, updated.Enabled));
        Assert.True((await JsonAsync<WebhookResponse>("webhooks", "update", id, "--enable")).Enabled);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("webhooks", "update", id)).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("webhooks", "update", id, "--enable", "--disable")).Exit);

        // The test event reaches the receiver, signed with the secret the CLI printed; the log shows it succeeded.
        var test = Assert.Single(await JsonAsync<List<WebhookDeliveryResponse>>("webhooks", "test", id));
        Assert.Equal(("webhook.test", "pending"), (test.Type, test.Status));
        var (received, _) = await Poll.UntilAsync(() => Task.FromResult(server.Receiver.To(path)), r => r.Count > 0);
        var delivery = Assert.Single(received);
        Assert.Equal((test.EventId, "webhook.test"), (delivery.Id, delivery.Type));
        Assert.Equal([secret], delivery.VerifiedBy);
        var (log, _) = await Poll.UntilAsync(() => JsonAsync<List<WebhookDeliveryResponse>>("webhooks", "deliveries", id), l => l.All(d => d.Status == "succeeded"));
        Assert.Equal((test.Id, "succeeded", 200), (Assert.Single(log).Id, log[0].Status, log[0].LastResponseStatus));
        var table = await RunAsync("webhooks", "deliveries", id);
        Assert.Contains(test.Id, table.Out, StringComparison.Ordinal);
        Assert.Contains("succeeded", table.Out, StringComparison.Ordinal);

        // Retry sends the same event (same webhook-id) once more.
        var retried = Assert.Single(await JsonAsync<List<WebhookDeliveryResponse>>("webhooks", "retry", id, test.Id));
        Assert.Equal((test.Id, "pending"), (retried.Id, retried.Status));
        var (again, _) = await Poll.UntilAsync(() => Task.FromResult(server.Receiver.To(path)), r => r.Count > 1);
        Assert.Equal([test.EventId, test.EventId], again.Select(r => r.Id));

        // Rotation: --quiet prints only the new secret; both secrets sign the next delivery.
        var rotated = await RunAsync("webhooks", "rotate-secret", id, "--quiet");
        Assert.True(rotated.Exit == 0, rotated.Error);
        var newSecret = rotated.Out.Trim();
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", newSecret);
        Assert.NotEqual(secret, newSecret);
        server.Receiver.Trust(path, secret, newSecret);
        var second = Assert.Single(await JsonAsync<List<WebhookDeliveryResponse>>("webhooks", "test", id));
        var (signed, _) = await Poll.UntilAsync(() => Task.FromResult(server.Receiver.To(path).Where(r => r.Id == second.EventId).ToList()), r => r.Count > 0);
        // StandardWebhooks 1.1.2 checks only the first of several signatures (the new secret's); the old secret's is checked
        // against the specification's formula, written out in the tests.
        var both = Assert.Single(signed);
        Assert.Equal([newSecret], both.VerifiedBy);
        Assert.Equal([WebhookSignatures.Of(newSecret, both), WebhookSignatures.Of(secret, both)], both.Signature.Split(' '));

        // Delete: like every change of the CLI that cannot be undone, a script needs --yes; afterwards the endpoint is gone (exit 2).
        Assert.Equal(ExitCodes.Usage, (await RunAsync("webhooks", "delete", id)).Exit);
        Assert.Equal(ExitCodes.Ok, (await RunAsync("webhooks", "show", id)).Exit);
        var deleted = await RunAsync("webhooks", "delete", id, "--yes");
        Assert.True(deleted.Exit == 0, deleted.Error);
        Assert.Contains($"Deleted webhook endpoint {id}.", deleted.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("webhooks", "show", id)).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("webhooks", "delete", id, "--yes")).Exit);
        Assert.DoesNotContain(id, (await RunAsync("webhooks", "list")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_create_carries_the_secret_and_bad_input_is_refused_with_the_servers_code()
    {
        var path = Guid.NewGuid().ToString("N");
        var created = await JsonAsync<CreatedWebhookResponse>("webhooks", "create", server.Receiver.Answer(path), "--event", "*");
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.Equal(["*"], created.Events);
        Assert.Equal(created.Id, (await JsonAsync<List<WebhookResponse>>("webhooks", "list")).Single(w => w.Id == created.Id).Id);

        var unknown = await RunAsync("webhooks", "create", server.Receiver.Answer(path), "--event", "token.exploded");
        Assert.Equal(ExitCodes.Usage, unknown.Exit);
        Assert.Contains("unknown_event_type", unknown.Error, StringComparison.Ordinal);
        var unspecified = await RunAsync("webhooks", "update", created.Id, "--destination", "http://0.0.0.0/hook");
        Assert.Equal(ExitCodes.Usage, unspecified.Exit);
        Assert.Contains("webhook_url_forbidden", unspecified.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("webhooks", "create", server.Receiver.Answer(path))).Exit); // --event is required
        Assert.Equal(ExitCodes.Usage, (await RunAsync("webhooks", "deliveries", created.Id, "--limit", "0")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("webhooks", "retry", created.Id, "dlv_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("webhooks", "rotate-secret", "wh_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f")).Exit);
        Assert.Equal(server.Receiver.Answer(path), (await JsonAsync<WebhookResponse>("webhooks", "show", created.Id)).Url);
    }
}
