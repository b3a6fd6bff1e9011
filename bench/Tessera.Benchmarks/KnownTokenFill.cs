using Tessera.Core;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;
using Tessera.Core.Verification;

namespace Tessera.Benchmarks;

/// <summary>
/// Fills memory with <c>count</c> usable tokens spread over 1,000 workloads, as verification would, and
/// returns 1,024 of their secrets picked across the whole set (keeping all would dwarf what is measured).
/// </summary>
internal static class KnownTokenFill
{
    public const int Samples = 1024;

    public static KnownTokens Fill(VerificationOptions options, int count, out string[] samples)
    {
        var known = new KnownTokens(options, TimeProvider.System);
        var now = TimeProvider.System.GetUtcNow();
        var workloads = Enumerable.Range(0, 1000).Select(i => new WorkloadLabel(Ids.New(Ids.Workload, now), $"model-{i:000}")).ToArray();
        samples = new string[Samples];
        var every = Math.Max(1, count / Samples);
        for (var i = 0; i < count; i++)
        {
            var secret = SecretFormat.Generate(SecretKind.QueryToken);
            if (i % every == 0 && i / every < Samples)
            {
                samples[i / every] = secret;
            }
            var hash = SecretHash.Of(secret);
            var token = new KnownToken(Ids.New(Ids.Token, now), $"user-{i:0000000}", TokenStatus.Active, now.AddDays(30), workloads[i % workloads.Length]);
            known.Remember(hash, token, known.GenerationOf(hash));
        }
        return known;
    }
}
