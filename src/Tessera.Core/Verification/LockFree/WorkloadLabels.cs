namespace Tessera.Core.Verification.LockFree;

/// <summary>
/// The workload labels remembered tokens point to, by a small index, each counted by the entries that
/// use it: a million tokens of one workload hold one copy of its id and name. Changed only under the
/// <see cref="TokenTable"/>'s lock; <see cref="Get"/> reads without one.
/// </summary>
/// <remarks>
/// An index is given to another label only after the last entry using it was forgotten, and forgetting
/// moves that entry's sequence first: a reader that finds the new label behind an old entry's index also
/// finds the sequence moved, and throws its copy away.
/// </remarks>
internal sealed class WorkloadLabels
{
    private WorkloadLabel?[] _labels = new WorkloadLabel?[16];
    private int[] _uses = new int[16];
    private readonly Dictionary<WorkloadLabel, int> _indexOf = [];
    private readonly Stack<int> _free = new();
    private int _count;

    public int Count => _indexOf.Count;

    /// <summary>The index of <paramref name="label"/> (an equal one already held is shared), counted once more.</summary>
    public int Acquire(WorkloadLabel label)
    {
        if (!_indexOf.TryGetValue(label, out var index))
        {
            if (_free.Count > 0)
            {
                index = _free.Pop();
            }
            else
            {
                index = _count++;
                if (index == _labels.Length)
                {
                    var grown = new WorkloadLabel?[_labels.Length * 2];
                    _labels.CopyTo(grown, 0);
                    Array.Resize(ref _uses, grown.Length);
                    Volatile.Write(ref _labels, grown);
                }
            }
            _indexOf[label] = index;
            Volatile.Write(ref _labels[index], label);
        }
        _uses[index]++;
        return index;
    }

    public void Release(int index)
    {
        if (--_uses[index] == 0)
        {
            _indexOf.Remove(_labels[index]!);
            Volatile.Write(ref _labels[index], null);
            _free.Push(index);
        }
    }

    /// <summary>The label at <paramref name="index"/>, read without the lock; null if it is no longer held.</summary>
    public WorkloadLabel? Get(int index)
    {
        var labels = Volatile.Read(ref _labels);
        return (uint)index < (uint)labels.Length ? Volatile.Read(ref labels[index]) : null;
    }

    /// <summary>The indices of every label of this workload (one per name it had while tokens were remembered).</summary>
    public HashSet<int> IndicesOf(string workloadId)
    {
        var indices = new HashSet<int>();
        foreach (var (label, index) in _indexOf)
        {
            if (label.Id == workloadId)
            {
                indices.Add(index);
            }
        }
        return indices;
    }
}
