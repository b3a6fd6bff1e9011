namespace Tessera.Core.Verification;

/// <summary>
/// A server's place in the token change feed. Positions come from a sequence, so on a database with
/// concurrent writers a lower position can become visible after a higher one (its transaction
/// committed later). The cursor therefore keeps reading from the lowest position it has not seen,
/// and only gives up on a missing one (a rolled-back transaction) after <c>gapTimeout</c>, in the units of the
/// times passed to <see cref="Advance"/> (the follower's: timestamps of its TimeProvider).
/// </summary>
public sealed class ChangeFeedCursor(long start, long gapTimeout)
{
    private readonly SortedSet<long> _seenAbove = [];
    private readonly Dictionary<long, long> _missingSince = [];

    /// <summary>Every position at or below it has been seen or given up on; reads start after it.</summary>
    public long Floor { get; private set; } = start;

    /// <summary>True the first time <paramref name="position"/> is offered: its change must be applied.</summary>
    public bool Accept(long position) => position > Floor && _seenAbove.Add(position);

    /// <summary>
    /// Moves <see cref="Floor"/> over seen positions and over gaps older than the timeout; returns the positions
    /// given up on (usually none): their transactions may still commit, so the follower keeps looking for them.
    /// </summary>
    public IReadOnlyList<long> Advance(long now)
    {
        List<long>? givenUp = null; // allocated only for a give-up, rare: this runs on every feed read
        while (_seenAbove.Count > 0)
        {
            var next = Floor + 1;
            if (_seenAbove.Remove(next))
            {
                Floor = next;
                _missingSince.Remove(next);
                continue;
            }
            if (!_missingSince.TryGetValue(next, out var since))
            {
                _missingSince[next] = now;
                return givenUp ?? [];
            }
            if (now - since < gapTimeout)
            {
                return givenUp ?? [];
            }
            // A run of missing positions was noticed at once: the next one is as old as this one.
            _missingSince.Remove(next);
            _missingSince.TryAdd(next + 1, since);
            Floor = next;
            (givenUp ??= []).Add(next);
        }
        return givenUp ?? [];
    }

    /// <summary>
    /// Jumps over everything at or below <paramref name="position"/> (changes memory no longer needs, because it
    /// forgot everything): reading goes on after it, or after the floor if that is higher.
    /// </summary>
    public void SkipTo(long position)
    {
        if (position <= Floor)
        {
            return;
        }
        Floor = position;
        _seenAbove.RemoveWhere(p => p <= position);
        foreach (var missing in _missingSince.Keys.Where(p => p <= position).ToList())
        {
            _missingSince.Remove(missing);
        }
        // Seen positions just above the new floor are passed over by the next Advance.
    }
}
