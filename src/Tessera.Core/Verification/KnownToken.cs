using Tessera.Core.Tokens;
using Tessera.Core.Verification.LockFree;

namespace Tessera.Core.Verification;

/// <summary>
/// What the query side knows of one token at the moment it was looked up: a copy, so it stays
/// consistent whatever memory does afterwards. Enough to decide, to write the gateway headers and to
/// answer a handshake; the name is decoded into a string only when asked for.
/// </summary>
public readonly struct KnownToken
{
    private readonly Guid _id;
    private readonly long _expiresAtMs;
    // The name as a string (a token read from the store), or the arena chunk holding it (a copy of an entry).
    private readonly object? _name;
    private readonly int _namePosition;
    private readonly bool _cancelled;
    // The table entry's index + 1, so that the default value and a token read from the store have none.
    private readonly int _entry;

    public KnownToken(string tokenId, string name, TokenStatus status, DateTimeOffset expiresAt, WorkloadLabel? workload)
    {
        // Ids are "tok_" + 32 hex digits: kept as the 16 bytes they encode.
        _id = ParseId(tokenId);
        _name = name;
        _cancelled = status == TokenStatus.Cancelled;
        _expiresAtMs = expiresAt.ToUnixTimeMilliseconds();
        Workload = workload;
    }

    /// <summary>What verification needs of a token read from the store, with its workload's name.</summary>
    public static KnownToken From(Storage.TokenMatch match)
    {
        var token = match.Token;
        var workload = token.WorkloadId is null ? null : new WorkloadLabel(token.WorkloadId, match.WorkloadName ?? "");
        return new KnownToken(token.Id, token.Name, token.Status, token.ExpiresAt, workload);
    }

    internal KnownToken(Guid id, long expiresAtMs, bool cancelled, WorkloadLabel? workload, byte[] nameChunk, int namePosition,
        int index, uint sequence)
    {
        _id = id;
        _expiresAtMs = expiresAtMs;
        _cancelled = cancelled;
        Workload = workload;
        _name = nameChunk;
        _namePosition = namePosition;
        _entry = index + 1;
        Sequence = sequence;
    }

    /// <summary>True for the default value: no token.</summary>
    public bool IsEmpty => _name is null;

    public string Id => FormatId(_id);

    public string Name => _name as string ?? NameArena.Read((byte[])_name!, _namePosition);

    public TokenStatus Status => _cancelled ? TokenStatus.Cancelled : TokenStatus.Active;

    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeMilliseconds(_expiresAtMs);

    /// <summary>Null when the token is unassigned.</summary>
    public WorkloadLabel? Workload { get; }

    public TokenState StateAt(DateTimeOffset now) => TokenStates.Of(Status, ExpiresAt, Workload is not null, now);

    internal Guid IdBytes => _id;

    internal long ExpiresAtMs => _expiresAtMs;

    internal bool Cancelled => _cancelled;

    /// <summary>The name when it is a string already (a token read from the store, not yet remembered).</summary>
    internal string? NameString => _name as string;

    /// <summary>The table entry this is a copy of; -1 when it is not one.</summary>
    internal int Index => _entry - 1;

    /// <summary>The entry's sequence when copied: a use counts on the entry only while it is unchanged.</summary>
    internal uint Sequence { get; }

    internal static Guid ParseId(string tokenId) => Guid.ParseExact(tokenId.AsSpan(Ids.Token.Length), "N");

    internal static string FormatId(Guid id) => string.Create(Ids.Token.Length + 32, id, static (chars, id) =>
    {
        Ids.Token.CopyTo(chars);
        id.TryFormat(chars[Ids.Token.Length..], out _, "N");
    });
}
