namespace Tessera.Server.Background;

/// <summary>
/// A background pass every <c>interval</c> ±10%, the first at a random point of the first interval, so servers sharing a
/// database do not run it in lockstep. The delays run on the server's <see cref="TimeProvider"/>: a test's clock moves them.
/// </summary>
public abstract class JitteredPasses(TimeSpan interval, TimeProvider time) : BackgroundService
{
    /// <summary>The server's clock.</summary>
    protected TimeProvider Time { get; } = time;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = interval * Random.Shared.NextDouble();
        while (true)
        {
            try
            {
                await Task.Delay(delay, Time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await PassAsync(stoppingToken);
            delay = interval * (0.9 + (0.2 * Random.Shared.NextDouble()));
        }
    }

    /// <summary>One pass; it handles its own failures (the next pass tries again).</summary>
    protected abstract Task PassAsync(CancellationToken stoppingToken);
}
