namespace Tessera.Testing;

/// <summary>
/// A real server process allowed to deliver to loopback over http (Tessera:Webhooks:AllowHttp and AllowPrivateNetworks),
/// retrying after a second, and a real receiver (Kestrel on loopback) that verifies each delivery with the
/// StandardWebhooks package.
/// </summary>
public sealed class WebhookProcessServer : ProcessServer
{
    public WebhookReceiver Receiver { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Tessera__Webhooks__AllowHttp"] = "true",
        ["Tessera__Webhooks__AllowPrivateNetworks"] = "true",
        ["Tessera__Webhooks__RetrySchedule"] = "00:00:01,00:00:01,00:00:01",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    public override async ValueTask InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
