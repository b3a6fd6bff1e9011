using System.CommandLine;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary><c>tessera webhooks</c> (issue 14, API.md §7): endpoints receiving the account's events, their secrets and deliveries.</summary>
public static partial class TesseraCli
{
    private sealed partial class Cli
    {
        public Command Webhooks()
        {
            var id = new Argument<string>("webhook-id") { Description = "The endpoint's id (wh_…)." };
            var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the secret." };

            var url = new Argument<string>("url") { Description = "Where events are POSTed: https, reaching a public address (http and private addresses only where the server allows them)." };
            var events = new Option<string[]>("--event")
            {
                Description = "An event type to send (repeat for several), e.g. token.cancelled or token.expiring, or * for every type.",
                AllowMultipleArgumentsPerToken = true,
                Required = true,
            };
            var description = new Option<string?>("--description") { Description = "Free text, up to 1000 characters." };
            var create = new Command("create", "Create a webhook endpoint. Its signing secret (whsec_…) is printed once, to standard output; Tessera keeps it encrypted.")
            {
                url, events, description, quiet,
            };
            create.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var created = await client.CreateWebhookAsync(parse.GetValue(url)!, parse.GetValue(events)!, parse.GetValue(description), ct);
                Secret(output, created, parse.GetValue(quiet), TesseraJsonContext.Default.CreatedWebhookResponse);
                return ExitCodes.Ok;
            }));

            var list = new Command("list", "List the account's webhook endpoints (never their secrets).");
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Webhooks(await client.ListWebhooksAsync(ct).ToListAsync(ct));
                return ExitCodes.Ok;
            }));

            var show = new Command("show", "Show one webhook endpoint (never its secret).") { id };
            show.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Webhook(await client.GetWebhookAsync(parse.GetValue(id)!, ct));
                return ExitCodes.Ok;
            }));

            var newUrl = new Option<string?>("--destination") { Description = "A new destination URL." };
            var newEvents = new Option<string[]>("--event")
            {
                Description = "Replace the event types with these (repeat for several; * for every type).",
                AllowMultipleArgumentsPerToken = true,
            };
            var enable = new Option<bool>("--enable") { Description = "Enable the endpoint (its pending deliveries resume; a new failure streak starts)." };
            var disable = new Option<bool>("--disable") { Description = "Disable the endpoint: nothing more is queued for it or sent to it." };
            var update = new Command("update", "Change a webhook endpoint's URL, events, description, or enable/disable it.")
            {
                id, newUrl, newEvents, description, enable, disable,
            };
            update.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                if (parse.GetValue(enable) && parse.GetValue(disable))
                {
                    throw new CliUsageException("give --enable or --disable, not both.");
                }
                // An option not given is a field left absent: it stays as it is.
                var change = new UpdateWebhookRequest(
                    parse.GetValue(newUrl) is { } url ? url : Optional<string?>.Absent,
                    parse.GetValue(newEvents) is { Length: > 0 } given ? Optional<IReadOnlyList<string>?>.Of(given) : Optional<IReadOnlyList<string>?>.Absent,
                    parse.GetValue(description) is { } text ? text : Optional<string?>.Absent,
                    parse.GetValue(enable) ? true : parse.GetValue(disable) ? false : Optional<bool?>.Absent);
                if (change == new UpdateWebhookRequest())
                {
                    throw new CliUsageException("nothing to change: give --destination, --event, --description, --enable or --disable.");
                }
                output.Webhook(await client.UpdateWebhookAsync(parse.GetValue(id)!, change, null, ct));
                return ExitCodes.Ok;
            }));

            var delete = new Command("delete", "Delete a webhook endpoint and its deliveries log; nothing more is sent to it. Asks first on a terminal; needs --yes otherwise." +
                                               Examples("tessera webhooks delete wh_0192f0c0a0b07c3e", "tessera webhooks delete wh_0192f0c0a0b07c3e --yes")) { id, Yes };
            delete.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var webhookId = parse.GetValue(id)!;
                await ConfirmAsync(parse, $"Delete webhook endpoint {webhookId} and its deliveries log? Nothing more is sent to it, and it cannot be brought back.", ct);
                await client.DeleteWebhookAsync(webhookId, ct);
                output.Line($"Deleted webhook endpoint {webhookId}.");
                return ExitCodes.Ok;
            }));

            var test = new Command("test", "Send a webhook.test event to the endpoint; prints its delivery (follow it with 'tessera webhooks deliveries').") { id };
            test.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Deliveries([await client.TestWebhookAsync(parse.GetValue(id)!, ct)]);
                return ExitCodes.Ok;
            }));

            var rotate = new Command("rotate-secret", "Give the endpoint a new signing secret, printed once; the old one keeps signing beside it for 24 hours.") { id, quiet };
            rotate.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var rotated = await client.RotateWebhookSecretAsync(parse.GetValue(id)!, ct);
                Secret(output, rotated, parse.GetValue(quiet), TesseraJsonContext.Default.CreatedWebhookResponse);
                return ExitCodes.Ok;
            }));

            var limit = new Option<int?>("--limit") { Description = "Show at most this many deliveries (default: 50)." };
            var deliveries = new Command("deliveries", "The endpoint's deliveries log, newest first: status, attempts, last response, next attempt.") { id, limit };
            deliveries.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var max = parse.GetValue(limit) ?? 50;
                if (max < 1)
                {
                    throw new CliUsageException("--limit must be at least 1.");
                }
                output.Deliveries(await client.ListWebhookDeliveriesAsync(parse.GetValue(id)!, ct).Take(max).ToListAsync(ct));
                return ExitCodes.Ok;
            }));

            var deliveryId = new Argument<string>("delivery-id") { Description = "The delivery's id (dlv_…), as 'tessera webhooks deliveries' lists it." };
            var retry = new Command("retry", "Attempt a delivery again now (a failed one gets one more attempt).") { id, deliveryId };
            retry.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Deliveries([await client.RetryWebhookDeliveryAsync(parse.GetValue(id)!, parse.GetValue(deliveryId)!, ct)]);
                return ExitCodes.Ok;
            }));

            return new Command("webhooks", "Webhook endpoints: signed HTTP POSTs of the account's events (needs webhooks:manage).")
            {
                create, list, show, update, delete, test, rotate, deliveries, retry,
            };
        }

        /// <summary>An endpoint with its one-time secret: the JSON, the secret alone, or the fields then the secret.</summary>
        private static void Secret(Output output, CreatedWebhookResponse endpoint, bool quiet, System.Text.Json.Serialization.Metadata.JsonTypeInfo<CreatedWebhookResponse> type)
        {
            if (output.Json)
            {
                output.Object(endpoint, type);
            }
            else if (quiet)
            {
                output.Always(endpoint.Secret);
            }
            else
            {
                output.Webhook(endpoint);
                output.Line("");
                output.Line("The signing secret, shown only this once:");
                output.Always(endpoint.Secret);
            }
        }
    }
}
