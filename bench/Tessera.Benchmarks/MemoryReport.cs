using System.Diagnostics;
using Tessera.Core.Verification;
using Tessera.Core.Verification.LockFree;

namespace Tessera.Benchmarks;

/// <summary>What remembering N tokens costs: managed heap and the process's working set, before and after.</summary>
internal static class MemoryReport
{
    public static int Run(int count)
    {
        var before = Measure();
        var known = KnownTokenFill.Fill(new VerificationOptions(), count, out _);
        var after = Measure();
        GC.KeepAlive(known);
        Console.WriteLine($"tokens remembered: {known.Count:N0}");
        Console.WriteLine($"managed heap: {before.Heap / 1e6:F1} MB -> {after.Heap / 1e6:F1} MB ({(after.Heap - before.Heap) / (double)count:F0} bytes per token)");
        Console.WriteLine($"working set:  {before.WorkingSet / 1e6:F1} MB -> {after.WorkingSet / 1e6:F1} MB");
        var table = known.Table;
        var entries = (long)table.EntryChunks * (1 << TokenTable.DefaultEntryChunkBits) * System.Runtime.CompilerServices.Unsafe.SizeOf<TokenEntry>();
        Console.WriteLine($"of which entries {entries / 1e6:F1} MB ({System.Runtime.CompilerServices.Unsafe.SizeOf<TokenEntry>()} bytes each, {table.EntryChunks} chunks), " +
            $"index {table.SlotCount * 4L / 1e6:F1} MB ({table.SlotCount:N0} slots), names {table.NameBytesHeld / 1e6:F1} MB, {table.LabelCount:N0} workload labels");
        return 0;
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
