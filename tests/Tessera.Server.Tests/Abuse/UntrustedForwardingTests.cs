using System.Net;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Abuse;

/// <summary>Without a configured trusted proxy, X-Forwarded-For cannot move a caller to a fresh budget.</summary>
public sealed class UntrustedForwardingTests(UntrustedProxyApp fixture) : IClassFixture<UntrustedProxyApp>
{
    [Fact]
    public async Task X_forwarded_for_from_an_untrusted_peer_is_ignored()
    {
        var client = fixture.App.ClientWith(SecretFormat.Generate(SecretKind.QueryToken));
        for (var i = 0; i < 4; i++)
        {
            await FailureLimitTests.SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(QuerySide.NoSuchWorkloadId), $"203.0.113.{i}").EnsureAsync(HttpStatusCode.Unauthorized);
        }

        // A fresh forwarded address every time, yet all of them are the one real peer, 127.0.0.1.
        await FailureLimitTests.SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(QuerySide.NoSuchWorkloadId), "203.0.113.200").EnsureAsync(HttpStatusCode.TooManyRequests);
    }
}
