using Tessera.Core.Verification;

namespace Tessera.Core.Tests.Verification;

public sealed class ChangeFeedCursorTests
{
    private const long Timeout = 1_000;

    [Fact]
    public void Positions_in_order_are_accepted_once_and_move_the_floor()
    {
        var cursor = new ChangeFeedCursor(10, Timeout);

        Assert.True(cursor.Accept(11));
        Assert.True(cursor.Accept(12));
        Assert.False(cursor.Accept(12));
        cursor.Advance(0);

        Assert.Equal(12, cursor.Floor);
        Assert.False(cursor.Accept(11));
        Assert.False(cursor.Accept(10));
    }

    [Fact]
    public void A_position_that_becomes_visible_late_is_still_applied()
    {
        var cursor = new ChangeFeedCursor(10, Timeout);
        Assert.True(cursor.Accept(12)); // 11's transaction has not committed yet
        cursor.Advance(0);
        Assert.Equal(10, cursor.Floor); // so reading goes on from 10

        Assert.False(cursor.Accept(12)); // read again next time: already applied
        Assert.True(cursor.Accept(11));  // committed late: applied now
        cursor.Advance(500);

        Assert.Equal(12, cursor.Floor);
    }

    [Fact]
    public void A_position_that_never_appears_is_given_up_after_the_timeout_and_so_is_the_run_behind_it()
    {
        var cursor = new ChangeFeedCursor(10, Timeout);
        Assert.True(cursor.Accept(14)); // 11, 12 and 13 rolled back
        cursor.Advance(0);
        cursor.Advance(Timeout - 1);
        Assert.Equal(10, cursor.Floor);

        Assert.Empty(cursor.Advance(Timeout - 1));

        Assert.Equal([11, 12, 13], cursor.Advance(Timeout)); // the follower keeps looking for these

        Assert.Equal(14, cursor.Floor);
    }

    [Fact]
    public void Skipping_to_a_position_drops_what_was_seen_or_missing_below_it_and_reading_goes_on_after_it()
    {
        var cursor = new ChangeFeedCursor(10, Timeout);
        Assert.True(cursor.Accept(12));
        Assert.True(cursor.Accept(15));
        cursor.Advance(0); // 11 missing

        cursor.SkipTo(13);

        Assert.Equal(13, cursor.Floor);
        Assert.False(cursor.Accept(11));
        Assert.True(cursor.Accept(14));
        Assert.Empty(cursor.Advance(1));
        Assert.Equal(15, cursor.Floor);
        cursor.SkipTo(3); // never backwards
        Assert.Equal(15, cursor.Floor);
    }

    [Fact]
    public void Advancing_without_anything_seen_keeps_the_floor()
    {
        var cursor = new ChangeFeedCursor(7, Timeout);

        cursor.Advance(10 * Timeout);

        Assert.Equal(7, cursor.Floor);
    }
}
