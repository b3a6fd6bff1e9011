namespace Tessera.Core.Storage;

/// <summary>
/// The one conflict path for a kind of versioned row (DESIGN: openiddict's manager owns it): read the current row,
/// check it against the version the caller pinned (If-Match: 412 when stale), let the use case apply and save its
/// change with a version check, and on a lost race read again and retry (up to <see cref="MaxAttempts"/> times, then
/// 409 concurrent_modification); a caller that pinned a version gets 412 instead of a retry. Every change and delete
/// of a versioned row (tokens, workloads, webhook endpoints) goes through it, so no write is silently lost.
/// </summary>
/// <param name="thing">The row's name in the product's words ("token"), for the 409's text.</param>
/// <param name="versionOf">The version of a row as read.</param>
/// <param name="refusalOf">The refusal for a store's answer other than Saved and VersionConflict (NotFound, NameTaken…).</param>
public sealed class ConflictPath<TRow>(string thing, Func<TRow, long> versionOf, Func<SaveResult, TesseraException> refusalOf)
{
    /// <summary>How many times a change is tried on fresh data before it gives up with 409.</summary>
    public const int MaxAttempts = 5;

    /// <summary>
    /// Changes a row: <paramref name="read"/> returns it (or throws its 404), <paramref name="save"/> applies the change to it and
    /// saves it, answering the store's result and what the use case answers on success (an unchanged row answers Saved
    /// without writing).
    /// </summary>
    public Task<TResult> ChangeAsync<TResult>(long? ifMatch, Func<CancellationToken, Task<TRow>> read,
        Func<TRow, CancellationToken, Task<(SaveResult Result, TResult Value)>> save, CancellationToken cancellationToken) =>
        RunAsync(ifMatch, read, save, $"The {thing} kept changing while this change was applied; try again.", cancellationToken);

    /// <summary>Deletes a row: <paramref name="delete"/> deletes the row as read, pinned to its version (so the audit's "before" is what was deleted).</summary>
    public Task DeleteAsync(long? ifMatch, Func<CancellationToken, Task<TRow>> read, Func<TRow, CancellationToken, Task<SaveResult>> delete,
        CancellationToken cancellationToken) =>
        RunAsync(ifMatch, read, async (row, ct) => (await delete(row, ct), true), $"The {thing} kept changing while it was deleted; try again.",
            cancellationToken);

    private async Task<TResult> RunAsync<TResult>(long? ifMatch, Func<CancellationToken, Task<TRow>> read,
        Func<TRow, CancellationToken, Task<(SaveResult Result, TResult Value)>> save, string exhausted, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var row = await read(cancellationToken);
            if (ifMatch is { } expected && versionOf(row) != expected)
            {
                throw TesseraException.Stale();
            }
            var (result, value) = await save(row, cancellationToken);
            switch (result)
            {
                case SaveResult.Saved:
                    return value;
                case SaveResult.VersionConflict when ifMatch is not null:
                    throw TesseraException.Stale();
                case SaveResult.VersionConflict:
                    continue;
                default:
                    throw refusalOf(result);
            }
        }
        throw new TesseraException(ProblemKind.Conflict, ErrorCodes.ConcurrentModification, exhausted);
    }
}
