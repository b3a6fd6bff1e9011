using Tessera.Core.Storage;

namespace Tessera.Core.Tests.Storage;

/// <summary>The one conflict path: what If-Match, a lost race and a refusal of the store come to.</summary>
public sealed class ConflictPathTests
{
    private sealed record Row(long Version);

    private static readonly ConflictPath<Row> Path = new("thing", row => row.Version,
        result => TesseraException.NotFound(ErrorCodes.NotFound, $"thing ({result})"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Reads version 1, 2, 3… (another writer wins each time), and counts the reads.</summary>
    private sealed class Store(params SaveResult[] answers)
    {
        public int Reads { get; private set; }

        public int Saves { get; private set; }

        public Task<Row> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(new Row(++Reads));

        public Task<(SaveResult, long)> SaveAsync(Row row, CancellationToken cancellationToken) =>
            Task.FromResult((answers[Math.Min(Saves++, answers.Length - 1)], row.Version));
    }

    [Fact]
    public async Task A_lost_race_without_if_match_is_retried_on_fresh_data()
    {
        var store = new Store(SaveResult.VersionConflict, SaveResult.VersionConflict, SaveResult.Saved);

        var saved = await Path.ChangeAsync(null, store.ReadAsync, store.SaveAsync, Ct);

        Assert.Equal((3L, 3, 3), (saved, store.Reads, store.Saves));
    }

    [Fact]
    public async Task A_race_lost_every_time_gives_up_with_409_after_the_last_attempt()
    {
        var store = new Store(SaveResult.VersionConflict);

        var refused = await Assert.ThrowsAsync<TesseraException>(() => Path.ChangeAsync(null, store.ReadAsync, store.SaveAsync, Ct));

        Assert.Equal((ProblemKind.Conflict, ErrorCodes.ConcurrentModification), (refused.Kind, refused.Code));
        Assert.Equal("The thing kept changing while this change was applied; try again.", refused.Message);
        Assert.Equal(ConflictPath<Row>.MaxAttempts, store.Saves);
    }

    [Fact]
    public async Task With_if_match_a_stale_read_or_a_lost_race_is_412_and_never_retried()
    {
        var stale = new Store(SaveResult.Saved);
        var refused = await Assert.ThrowsAsync<TesseraException>(() => Path.ChangeAsync(7, stale.ReadAsync, stale.SaveAsync, Ct));
        Assert.Equal((ProblemKind.PreconditionFailed, 1, 0), (refused.Kind, stale.Reads, stale.Saves));

        var raced = new Store(SaveResult.VersionConflict);
        refused = await Assert.ThrowsAsync<TesseraException>(() => Path.ChangeAsync(1, raced.ReadAsync, raced.SaveAsync, Ct));
        Assert.Equal((ProblemKind.PreconditionFailed, 1, 1), (refused.Kind, raced.Reads, raced.Saves));
    }

    [Fact]
    public async Task A_delete_is_checked_and_retried_the_same_way_and_another_answer_is_the_rows_refusal()
    {
        var store = new Store(SaveResult.VersionConflict, SaveResult.Saved);
        await Path.DeleteAsync(null, store.ReadAsync, async (row, ct) => (await store.SaveAsync(row, ct)).Item1, Ct);
        Assert.Equal(2, store.Saves);

        var gone = new Store(SaveResult.NotFound);
        var refused = await Assert.ThrowsAsync<TesseraException>(() =>
            Path.DeleteAsync(1, gone.ReadAsync, async (row, ct) => (await gone.SaveAsync(row, ct)).Item1, Ct));
        Assert.Equal((ProblemKind.NotFound, "No thing (NotFound) with this id exists in this account."), (refused.Kind, refused.Message));

        var exhausted = await Assert.ThrowsAsync<TesseraException>(() =>
            Path.DeleteAsync(null, new Store(SaveResult.VersionConflict).ReadAsync, (_, _) => Task.FromResult(SaveResult.VersionConflict), Ct));
        Assert.Equal("The thing kept changing while it was deleted; try again.", exhausted.Message);
    }
}
