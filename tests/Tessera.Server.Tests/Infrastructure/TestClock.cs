using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The test server's one clock: a <see cref="FakeTimeProvider"/> whose wall time moves only when a test says so, and
/// whose timestamps (<see cref="GetTimestamp"/>, the monotonic clock of trust windows, grace, the store breaker and
/// the change feed) move with every <see cref="FakeTimeProvider.Advance"/> and also with real time. A test jumps over
/// a trust window or a grace with Advance instead of waiting it out, while the server's background loops, which run
/// on real timers, still see their breaks and gap timeouts end when no test advances the clock (ADR 0023).
/// </summary>
public sealed class TestClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly long _started = Stopwatch.GetTimestamp();

    public override long GetTimestamp() => base.GetTimestamp() + Stopwatch.GetElapsedTime(_started).Ticks;
}
