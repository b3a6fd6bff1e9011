namespace Tessera.Core.Storage;

/// <summary>Retention pruning in bounded batches (the audit trail, the usage buckets): each batch is its own short statement.</summary>
public static class Pruning
{
    /// <summary>Runs <paramref name="batch"/> until one deletes fewer than <paramref name="batchSize"/> rows; returns how many in all.</summary>
    public static async Task<int> InBatchesAsync(Func<int, CancellationToken, Task<int>> batch, int batchSize, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await batch(batchSize, cancellationToken);
            total += deleted;
        }
        while (deleted == batchSize);
        return total;
    }
}
