using System.Collections.Concurrent;
using System.Threading.Channels;
using Tessera.Core;
using Tessera.Core.Webhooks;

namespace Tessera.Server.Webhooks;

/// <summary>
/// The delivery worker (API.md §7, ADR 0015 and its amendment). Claims due deliveries in batches (each leased to this
/// server, so servers sharing a database never attempt one at once), attempts them concurrently, and records their
/// outcomes in batches. Endpoints are independent: each has its own lane, at most <see cref="ClaimPerEndpoint"/>
/// deliveries per claim and at most <see cref="PerEndpoint"/> attempts in flight; an endpoint with half a claim still
/// unrecorded is left out of the next claims, so a slow or dead receiver holds only its own lane, never the others'.
/// An attempt starts only while its lease leaves room for it to end and be recorded; one that would not is given back
/// at once. A crash loses nothing: an unrecorded attempt's lease runs out and the delivery is attempted again (at least once).
/// </summary>
public sealed class WebhookDispatcher(IWebhookStore store, WebhookService webhooks, WebhookSender sender, WebhookOptions options,
    TimeProvider time, WebhookMetrics metrics, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>Attempts to one endpoint in flight at once.</summary>
    internal const int PerEndpoint = 8;

    /// <summary>Most deliveries of one endpoint one claim takes; the endpoint is claimed for again once half of them are recorded.</summary>
    internal const int ClaimPerEndpoint = 64;

    /// <summary>Attempts in flight at once on this server.</summary>
    internal const int MaxInFlight = 512;

    /// <summary>Deliveries claimed by this server and not yet recorded.</summary>
    internal const int MaxClaimed = 4096;

    /// <summary>Most outcomes one write records.</summary>
    internal const int MaxRecordBatch = 512;

    /// <summary>Longer than an attempt may take, so a live server never loses its claim mid-attempt.</summary>
    internal static readonly TimeSpan Lease = WebhookOptions.AttemptTimeout * 4;

    /// <summary>An attempt starts only with this much of its lease left: its own timeout, and as long again to record it.</summary>
    internal static readonly TimeSpan StartWithin = WebhookOptions.AttemptTimeout * 2;

    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _claiming = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _claimed = new(StringComparer.Ordinal);
    private readonly Channel<Finished> _finished = Channel.CreateUnbounded<Finished>();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private int _running;
    private int _recording;
    private int _disposed;
    private long _attempts;

    /// <summary>Attempts made by this server (for tests and the benchmark).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Deliver)
        {
            logger.LogInformation("Webhook deliveries are off on this server (Tessera:Webhooks:Deliver=false): a server sharing its database attempts them.");
            return;
        }
        await using var stop = stoppingToken.Register(_stopping.Cancel);
        while (!stoppingToken.IsCancellationRequested)
        {
            bool more;
            try
            {
                more = await ClaimAsync(stoppingToken) is var (claimed, room) && claimed > 0 && claimed >= room;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not claim webhook deliveries ({Error}); will try again.", e.Message);
                more = false;
            }
            if (more)
            {
                continue; // the claim was cut by this server's room, not by what is due
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
        // Claimed but not started: given back now, so a restart (or another server) need not wait for their leases.
        List<DueDelivery> unstarted;
        lock (_gate)
        {
            unstarted = [.. _lanes.Values.SelectMany(l => l.Waiting)];
            foreach (var lane in _lanes.Values)
            {
                lane.Waiting.Clear();
            }
        }
        foreach (var delivery in unstarted)
        {
            Post(new Finished(delivery, null));
        }
        // Unfinished attempts are not recorded; their leases run out and they are attempted again.
        await Task.WhenAll(_claimed.Values.Select(c => c.Task)).WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None)
            .ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Wakes the worker now (a test event, a retry), instead of at its next poll.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>Claims what is due and has room, starts its attempts and returns how many it claimed.</summary>
    public async Task<int> StartDueAsync(CancellationToken cancellationToken) => (await ClaimAsync(cancellationToken)).Claimed;

    private async Task<(int Claimed, int Room)> ClaimAsync(CancellationToken cancellationToken)
    {
        await _claiming.WaitAsync(cancellationToken);
        try
        {
            var room = MaxClaimed - _claimed.Count;
            if (room <= 0)
            {
                return (0, 0);
            }
            string[] busy;
            lock (_gate)
            {
                busy = [.. _lanes.Where(l => l.Value.Unrecorded >= ClaimPerEndpoint / 2).Select(l => l.Key)];
            }
            var now = Instants.Now(time);
            var claimed = await store.ClaimDueAsync(now, now + Lease, room, ClaimPerEndpoint, busy, cancellationToken);
            lock (_gate)
            {
                foreach (var delivery in claimed)
                {
                    // Registered before it can start, so its own removal (when it is recorded) cannot come first.
                    _claimed[delivery.Id] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    var lane = LaneOf(delivery.EndpointId);
                    lane.Unrecorded++;
                    lane.Waiting.Enqueue(delivery);
                }
            }
            Pump();
            return (claimed.Count, room);
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
            var claimed = _claimed.Values.Select(c => c.Task).ToArray();
            if (started == 0 && claimed.Length == 0)
            {
                return;
            }
            await Task.WhenAll(claimed);
        }
    }

    /// <summary>Starts what the lanes have room for; gives back what its lease has no more room for.</summary>
    private void Pump()
    {
        List<DueDelivery>? start = null;
        List<DueDelivery>? giveBack = null;
        lock (_gate)
        {
            var now = Instants.Now(time);
            foreach (var lane in _lanes.Values)
            {
                while (lane.Waiting.Count > 0 && lane.Running < PerEndpoint && _running < MaxInFlight)
                {
                    var delivery = lane.Waiting.Dequeue();
                    if (_stopping.IsCancellationRequested || now + StartWithin > delivery.ClaimedUntil)
                    {
                        (giveBack ??= []).Add(delivery);
                        continue;
                    }
                    lane.Running++;
                    _running++;
                    (start ??= []).Add(delivery);
                }
            }
        }
        foreach (var delivery in giveBack ?? [])
        {
            Post(new Finished(delivery, null));
        }
        foreach (var delivery in start ?? [])
        {
            _ = Task.Run(() => AttemptAsync(delivery));
        }
    }

    private async Task AttemptAsync(DueDelivery delivery)
    {
        Finished? finished = null;
        try
        {
            var status = await sender.SendAsync(delivery, _stopping.Token);
            Interlocked.Increment(ref _attempts);
            var succeeded = status is >= 200 and < 300;
            metrics.Attempted(succeeded);
            finished = new Finished(delivery, webhooks.OutcomeOf(delivery, Instants.Now(time), succeeded, status));
        }
        catch (Exception e)
        {
            // Unrecorded: the lease runs out and the delivery is attempted again (so too when stopping cut it short).
            if (!_stopping.IsCancellationRequested)
            {
                logger.LogWarning("Webhook delivery {DeliveryId} to endpoint {EndpointId} was not attempted ({Error}).",
                    delivery.Id, delivery.EndpointId, e.Message);
            }
        }
        lock (_gate)
        {
            LaneOf(delivery.EndpointId).Running--;
            _running--;
        }
        if (finished is null)
        {
            Done(delivery);
        }
        else
        {
            Post(finished);
        }
        Pump();
    }

    /// <summary>Queues an outcome (or, without one, a claim to give back) for the next batch write.</summary>
    private void Post(Finished finished)
    {
        _finished.Writer.TryWrite(finished);
        if (Interlocked.CompareExchange(ref _recording, 1, 0) == 0)
        {
            _ = Task.Run(RecordAsync);
        }
    }

    /// <summary>
    /// Writes what has finished, in batches: one write for the outcomes (and one for the claims given back) that queued
    /// meanwhile. Runs until the queue is empty; one at a time.
    /// </summary>
    private async Task RecordAsync()
    {
        var batch = new List<Finished>(MaxRecordBatch);
        while (true)
        {
            while (batch.Count < MaxRecordBatch && _finished.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            if (batch.Count == 0)
            {
                Volatile.Write(ref _recording, 0);
                // Something posted after the last read and before the flag dropped would wait for the next post: look again.
                if (!_finished.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _recording, 1, 0) != 0)
                {
                    return;
                }
                continue;
            }
            var outcomes = batch.Where(f => f.Outcome is not null).Select(f => f.Outcome!).ToList();
            var giveBack = batch.Where(f => f.Outcome is null).Select(f => f.Delivery).ToList();
            try
            {
                if (giveBack.Count > 0)
                {
                    await store.ReleaseClaimsAsync(giveBack, CancellationToken.None);
                }
                if (outcomes.Count > 0)
                {
                    foreach (var endpointId in await store.RecordAttemptsAsync(outcomes, CancellationToken.None))
                    {
                        var last = outcomes.Last(o => o.Delivery.EndpointId == endpointId);
                        logger.LogWarning("Webhook endpoint {EndpointId} was disabled: no successful delivery for {DisableAfter}.",
                            endpointId, last.At - last.DisableIfFailingSince);
                        Disabled(endpointId);
                    }
                }
            }
            catch (Exception e)
            {
                // Unrecorded: their leases run out and they are attempted again.
                logger.LogWarning("{Count} webhook delivery outcomes were not recorded ({Error}).", batch.Count, e.Message);
            }
            foreach (var f in batch)
            {
                Done(f.Delivery);
            }
            batch.Clear();
        }
    }

    /// <summary>An endpoint this server disabled: what it had claimed and not started goes back (claims skip it now).</summary>
    private void Disabled(string endpointId)
    {
        List<DueDelivery> unstarted;
        lock (_gate)
        {
            if (!_lanes.TryGetValue(endpointId, out var lane))
            {
                return;
            }
            unstarted = [.. lane.Waiting];
            lane.Waiting.Clear();
        }
        foreach (var delivery in unstarted)
        {
            Post(new Finished(delivery, null));
        }
    }

    /// <summary>A claimed delivery recorded, given back, or left to its lease: it leaves its lane.</summary>
    private void Done(DueDelivery delivery)
    {
        var wake = false;
        lock (_gate)
        {
            var lane = LaneOf(delivery.EndpointId);
            lane.Unrecorded--;
            // Below half a claim: the lane may take the next one.
            wake = lane.Unrecorded == ClaimPerEndpoint / 2 - 1;
            if (lane is { Unrecorded: 0, Running: 0, Waiting.Count: 0 })
            {
                _lanes.Remove(delivery.EndpointId);
            }
        }
        if (_claimed.TryRemove(delivery.Id, out var recorded))
        {
            wake |= _claimed.Count == MaxClaimed - 1;
            recorded.TrySetResult();
        }
        if (wake)
        {
            Wake();
        }
    }

    private Lane LaneOf(string endpointId)
    {
        if (!_lanes.TryGetValue(endpointId, out var lane))
        {
            _lanes[endpointId] = lane = new Lane();
        }
        return lane;
    }

    public override void Dispose()
    {
        // The base cancels the stopping token first, whose registration cancels _stopping: it must not be disposed yet.
        base.Dispose();
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    /// <summary>One endpoint's deliveries on this server: claimed and waiting, being attempted, and claimed and not yet recorded (all of them).</summary>
    private sealed class Lane
    {
        public Queue<DueDelivery> Waiting { get; } = new();

        public int Running { get; set; }

        public int Unrecorded { get; set; }
    }

    /// <summary>An attempt's outcome to record, or (<see cref="Outcome"/> null) a claim to give back unattempted.</summary>
    private sealed record Finished(DueDelivery Delivery, DeliveryOutcome? Outcome);
}
