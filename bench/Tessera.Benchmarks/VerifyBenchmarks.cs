using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Tessera.Core.Secrets;
using Tessera.Core.Audit;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Verification;

namespace Tessera.Benchmarks;

/// <summary>
/// The verification core, in process: Bearer parse, format and checksum check, SHA-256, lookup among
/// <see cref="Known"/> remembered tokens, state against the clock, use counted. Issue #6 targets:
/// at most 0.6 µs per call with 1M known, and no allocation.
/// </summary>
[MemoryDiagnoser]
public class VerifyBenchmarks
{
    private string[] _headers = [];
    private VerificationService _service = null!;
    private MeterListener? _listener;
    private int _next;

    [Params(1_000, 1_000_000)]
    public int Known { get; set; }

    /// <summary>Whether something listens to the metrics (as /metrics does in the server).</summary>
    [Params(false, true)]
    public bool Metered { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new VerificationOptions { TrustWindow = TimeSpan.FromDays(365) };
        var known = KnownTokenFill.Fill(options, Known, out var samples);
        known.MarkSynced(TimeProvider.System.GetTimestamp());
        var meters = new Meters();
        if (Metered)
        {
            _listener = MetricsListener.Start();
        }
        _service = new VerificationService(new UnusedStore(), known, new VerificationMetrics(meters, known, TimeProvider.System), TimeProvider.System, options, new StoreBreaker(options, TimeProvider.System));
        // Tokens picked across the whole set, so lookups do not all hit one cache-warm corner.
        _headers = [.. samples.Select((s, i) => "Bearer " + (s ?? samples[i % Known]))];
    }

    [GlobalCleanup]
    public void Cleanup() => _listener?.Dispose();

    [Benchmark(Description = "format + checksum + SHA-256")]
    public SecretHash WellFormedAndHash()
    {
        var credential = Tessera.Core.Bearer.Credential(_headers[_next++ & 1023]);
        return SecretFormat.TryHash(credential, SecretKind.QueryToken, out var hash) ? hash : default;
    }

    [Benchmark(Description = "VerifyAsync (memory hit)")]
    public VerificationOutcome Verify()
    {
        // A memory hit completes synchronously; anything else would mean the store was reached.
        var pending = _service.VerifyAsync(_headers[_next++ & 1023], CancellationToken.None);
        return pending.IsCompletedSuccessfully ? pending.Result.Outcome : throw new InvalidOperationException("A memory hit must complete synchronously.");
    }

    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }

    /// <summary>Every hash is remembered, so the store is never asked; reaching it would be a bug.</summary>
    private sealed class UnusedStore : ITokenStore
    {
        public Task<QueryToken?> GetTokenAsync(string accountId, string tokenId, CancellationToken cancellationToken) => throw Unexpected();
        public Task<TokenMatch?> FindTokenAsync(SecretHash hash, CancellationToken cancellationToken) => throw Unexpected();
        public Task<IReadOnlyList<TokenMatch>> FindTokensAsync(IReadOnlyCollection<SecretHash> hashes, CancellationToken cancellationToken) => throw Unexpected();
        public Task<Page<QueryToken>> ListTokensAsync(string accountId, TokenQuery query, CancellationToken cancellationToken) => throw Unexpected();
        public Task<SaveResult> InsertTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) => throw Unexpected();
        public Task<SaveResult> UpdateTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) => throw Unexpected();
        public Task<SaveResult> DeleteTokenAsync(string accountId, string tokenId, long? expectedVersion, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
            throw Unexpected();
        public Task RecordUsageAsync(IReadOnlyList<TokenUsage> usages, CancellationToken cancellationToken) => throw Unexpected();

        private static InvalidOperationException Unexpected() => new("The benchmark's tokens are all in memory; the store must not be reached.");
    }
}
