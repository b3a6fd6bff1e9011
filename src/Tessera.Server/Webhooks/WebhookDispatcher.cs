using System.Collections.Concurrent;
using System.Threading.Channels;
using Tessera.Core;
using Tessera.Core.Webhooks;

namespace Tessera.Server.Webhooks;

/// <summary>
/// The delivery worker (API.md §7, ADR 0015). Claims due deliveries (each leased to this server, so servers sharing
/// a database never attempt one at once), attempts them concurrently, and records each outcome. Endpoints are
/// independent: at most <see cref="PerEndpoint"/> attempts to one endpoint are in flight, and an endpoint at that
/// limit is left out of the next claims, so a slow or dead receiver holds only its own lane, never the others'.
/// A crash loses nothing: an unrecorded attempt's lease runs out and the delivery is attempted again (at least once).
/// </summary>
public sealed class WebhookDispatcher(IWebhookStore store, WebhookService webhooks, WebhookSender sender, TimeProvider time,
    WebhookMetrics metrics, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    internal const int MaxInFlight = 256;
    internal const int PerEndpoint = 4;

    /// <summary>Longer than an attempt may take, so a live server never loses its claim mid-attempt.</summary>
    internal static readonly TimeSpan Lease = WebhookOptions.AttemptTimeout * 4;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _claiming = new(1, 1);
    private readonly ConcurrentDictionary<string, int> _perEndpoint = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _inFlight = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Attempts made by this server (for tests and the benchmark).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    private long _attempts;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int started;
            try
            {
                started = await StartDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not claim webhook deliveries ({Error}); will try again.", e.Message);
                started = 0;
            }
            if (started > 0)
            {
                continue;
            }
            using var poll = new CancellationTokenSource(PollInterval, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(poll.Token, stoppingToken);
            try
            {
                await _wake.Reader.WaitToReadAsync(wait.Token);
                _wake.Reader.TryRead(out _);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The poll interval passed: look for deliveries that came due, or that other servers wrote.
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        // Unfinished attempts are not recorded; their leases run out and they are attempted again.
        await Task.WhenAll(_inFlight.Values).WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Wakes the worker now (a test event, a retry), instead of at its next poll.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Claims what is due and has room, starts its attempts and returns how many it started.</summary>
    public async Task<int> StartDueAsync(CancellationToken cancellationToken)
    {
        await _claiming.WaitAsync(cancellationToken);
        try
        {
            var room = MaxInFlight - _inFlight.Count;
            if (room <= 0)
            {
                return 0;
            }
            var now = Instants.Now(time);
            var busy = _perEndpoint.Where(e => e.Value >= PerEndpoint).Select(e => e.Key).ToArray();
            var claimed = await store.ClaimDueAsync(now, now + Lease, room, PerEndpoint, busy, cancellationToken);
            foreach (var delivery in claimed)
            {
                _perEndpoint.AddOrUpdate(delivery.EndpointId, 1, (_, n) => n + 1);
                // Registered before it starts, so its own removal (when it ends) cannot come first.
                var attempt = new Task<Task>(() => AttemptAsync(delivery, cancellationToken));
                _inFlight[delivery.Id] = attempt.Unwrap();
                attempt.Start(TaskScheduler.Default);
            }
            return claimed.Count;
        }
        finally
        {
            _claiming.Release();
        }
    }

    /// <summary>Delivers everything due now and waits for every attempt to be recorded (tests, the benchmark, shutdown).</summary>
    public async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var started = await StartDueAsync(cancellationToken);
            var running = _inFlight.Values.ToArray();
            if (started == 0 && running.Length == 0)
            {
                return;
            }
            await Task.WhenAll(running);
        }
    }

    private async Task AttemptAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            var status = await sender.SendAsync(delivery, cancellationToken);
            Interlocked.Increment(ref _attempts);
            var succeeded = status is >= 200 and < 300;
            metrics.Attempted(succeeded);
            var outcome = webhooks.OutcomeOf(delivery, Instants.Now(time), succeeded, status);
            if (await store.RecordAttemptAsync(outcome, CancellationToken.None))
            {
                logger.LogWarning("Webhook endpoint {EndpointId} was disabled: no successful delivery for {DisableAfter}.",
                    delivery.EndpointId, outcome.At - outcome.DisableIfFailingSince);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Unrecorded: the lease runs out and the delivery is attempted again.
            logger.LogWarning("Webhook delivery {DeliveryId} to endpoint {EndpointId} was not recorded ({Error}).",
                delivery.Id, delivery.EndpointId, e.Message);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the lease runs out and another start attempts it again.
        }
        finally
        {
            _perEndpoint.AddOrUpdate(delivery.EndpointId, 0, (_, n) => n - 1);
            _inFlight.TryRemove(delivery.Id, out _);
            Wake();
        }
    }
}
