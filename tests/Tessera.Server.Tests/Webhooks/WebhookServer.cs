using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Server.Background;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Webhooks;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>
/// A Tessera server allowed to deliver to the loopback receiver (AllowHttp, AllowPrivateNetworks), with a retry
/// schedule of seconds, DisableAfter of an hour and a clock set to the real time (the independent verifier
/// checks the signature's timestamp against the real clock, with its 5-minute tolerance); and the receiver.
/// </summary>
public abstract class WebhookServer : IAsyncLifetime
{
    public static readonly Dictionary<string, string> Settings = new()
    {
        ["Tessera:Webhooks:AllowHttp"] = "true",
        ["Tessera:Webhooks:AllowPrivateNetworks"] = "true",
        ["Tessera:Webhooks:RetrySchedule"] = "00:00:01,00:00:02,00:00:03",
        ["Tessera:Webhooks:DisableAfter"] = "01:00:00",
    };

    public abstract TesseraApp App { get; }

    public WebhookReceiver Receiver { get; private set; } = null!;

    public WebhookDispatcher Dispatcher => App.Services.GetRequiredService<WebhookDispatcher>();

    public ExpiryScanner Expiry => App.Services.GetRequiredService<ExpiryScanner>();

    public virtual async ValueTask InitializeAsync()
    {
        App.Time.SetUtcNow(DateTimeOffset.UtcNow);
        Receiver = await WebhookReceiver.StartAsync();
    }

    /// <summary>A fresh account with an endpoint on a fresh receiver path answering as told, whose secret the receiver trusts.</summary>
    public async Task<(TestAccount Account, CreatedWebhookResponse Endpoint, string Path)> SubscribedAsync(int status = 200, int failures = 0,
        params string[] events)
    {
        var account = await App.NewAccountAsync();
        var path = Guid.NewGuid().ToString("N");
        var endpoint = await account.CreateWebhookAsync(Receiver.Answer(path, status, failures), events);
        Receiver.Trust(path, endpoint.Secret);
        return (account, endpoint, path);
    }

    /// <summary>
    /// Delivers everything due now and waits until every attempt is recorded: bounded, so an attempt left hanging on the
    /// fake clock fails the test that waits on it instead of stalling the whole run.
    /// </summary>
    public Task DeliverAsync() =>
        Dispatcher.DeliverDueAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

    public virtual async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public sealed class OnSqlite : WebhookServer
    {
        public override TesseraApp App { get; } = new() { Settings = new(WebhookServer.Settings) };
    }

    public sealed class OnPostgres : WebhookServer
    {
        private readonly PostgresTesseraApp _app = new() { Settings = new(WebhookServer.Settings) };

        public override TesseraApp App => _app;

        public override async ValueTask InitializeAsync()
        {
            await _app.InitializeAsync();
            await base.InitializeAsync();
        }

        public OnPostgres Require()
        {
            _app.Require();
            return this;
        }
    }
}
