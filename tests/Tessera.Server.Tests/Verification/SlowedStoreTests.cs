using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Verification;

/// <summary>
/// The query side's memory against a store that can be slowed down or made unreachable on purpose:
/// no cache fill resurrects a changed token, unknown values reach the store once, an outage fails closed.
/// </summary>
public sealed class SlowedStoreTests : IClassFixture<SlowedStoreTests.Server>
{
    public sealed class Server() : ControlledApp(new()
    {
        ["Tessera:Verification:FeedInterval"] = "00:00:00.100",
        ["Tessera:Verification:UsageFlushBatch"] = "2", // a flush of more than two tokens is several writes
    });

    private readonly ControlledStore _store;
    private readonly TesseraApp _app;

    public SlowedStoreTests(Server server)
    {
        _store = server.Store;
        _app = server.App;
        _store.Unreachable = false;
        _store.FeedStalled = false;
    }

    private async Task<(TestAccount Account, string WorkloadId, CreatedTokenResponse Token)> FreshTokenAsync()
    {
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        await _app.WaitForChangeFeedAsync();
        return (account, workload.Id, token);
    }

    [Theory]
    [InlineData("cancel")]
    [InlineData("unassign")]
    [InlineData("delete")]
    [InlineData("reassign")]
    public async Task A_fill_that_read_before_a_change_and_lands_after_it_is_not_remembered(string change)
    {
        var (account, workloadId, token) = await FreshTokenAsync();
        var other = await account.CreateWorkloadAsync("mistral");
        // Only this server's own bookkeeping may protect the token: the feed reports nothing.
        _store.FeedStalled = true;

        var hasRead = _store.HoldNextLookupAfterReading();
        var inFlight = _app.CodeAsync(token.Token, workloadId);
        await hasRead; // the fill has read the token while it was still usable
        var applied = change switch
        {
            "cancel" => account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled" }),
            "unassign" => account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { workloadId = (string?)null }),
            "reassign" => account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { workloadId = other.Id }),
            _ => account.Client.DeleteAsync($"/v1/tokens/{token.Id}"),
        };
        Assert.True((await applied).IsSuccessStatusCode);
        _store.ReleaseLookup();

        // The request that raced the change may answer with what it read; every later one must not.
        Assert.Equal("ok", await inFlight);
        var expected = change switch
        {
            "cancel" => "token_cancelled",
            "unassign" => "token_unassigned",
            "reassign" => "token_wrong_workload", // at the gateway of the workload it left
            _ => "token_unknown",
        };
        Assert.Equal(expected, await _app.CodeAsync(token.Token, workloadId));
        Assert.Equal(expected, await _app.CodeAsync(token.Token, workloadId));
    }

    [Fact]
    public async Task An_unknown_value_reaches_the_store_once_and_is_then_answered_from_memory()
    {
        await _app.WaitForChangeFeedAsync();
        var unknown = SecretFormat.Generate(SecretKind.QueryToken);
        var before = _store.Lookups;

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("token_unknown", await _app.CodeAsync(unknown, QuerySide.NoSuchWorkloadId));
        }

        Assert.Equal(before + 1, _store.Lookups);
    }

    [Fact]
    public async Task A_known_token_is_answered_from_memory_without_reading_the_store()
    {
        var (_, workloadId, token) = await FreshTokenAsync();
        Assert.Equal("ok", await _app.CodeAsync(token.Token, workloadId));
        var before = _store.Lookups;

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("ok", await _app.CodeAsync(token.Token, workloadId));
        }

        Assert.Equal(before, _store.Lookups);
    }

    [Fact]
    public async Task With_the_database_unreachable_verification_fails_closed_and_recovers_by_itself()
    {
        var (_, workloadId, token) = await FreshTokenAsync();
        Assert.Equal("ok", await _app.CodeAsync(token.Token, workloadId));

        _store.Unreachable = true;
        // An unknown value cannot be checked at all.
        await _app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken)).GetAsync(QuerySide.AuthPath(workloadId))
            .EnsureAsync(HttpStatusCode.ServiceUnavailable);
        // A remembered token is refused once memory can no longer be trusted (no grace configured).
        var (response, _) = await Poll.UntilAsync(() => _app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workloadId)), r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        await response.ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");

        _store.Unreachable = false;
        var (recovered, _) = await Poll.UntilAsync(() => _app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workloadId)), r => r.StatusCode == HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NoContent, recovered.StatusCode);
    }

    [Fact]
    public async Task Uses_counted_while_the_database_is_unreachable_are_written_once_it_is_back()
    {
        var (account, workloadId, token) = await FreshTokenAsync();
        Assert.Equal("ok", await _app.CodeAsync(token.Token, workloadId));
        Assert.Equal("ok", await _app.CodeAsync(token.Token, workloadId));

        _store.Unreachable = true;
        var flusher = _app.Services.GetRequiredService<Background.UsageFlusher>();
        Assert.False(await flusher.FlushAsync(TestContext.Current.CancellationToken));
        _store.Unreachable = false;
        await _app.FlushUsageAsync();

        Assert.Equal(2, (await account.GetTokenAsync(token.Id)).UseCount);
    }

    [Fact]
    public async Task A_flush_that_fails_part_way_keeps_only_the_uses_it_did_not_write_so_none_is_counted_twice()
    {
        var tokens = new List<(TestAccount Account, string WorkloadId, CreatedTokenResponse Token)>();
        for (var i = 0; i < 5; i++)
        {
            tokens.Add(await FreshTokenAsync());
        }
        await _app.FlushUsageAsync(); // nothing of earlier tests left over
        foreach (var (_, workloadId, token) in tokens)
        {
            Assert.Equal("ok", await _app.CodeAsync(token.Token, workloadId));
        }

        _store.UsageWritesBeforeFailure = 1; // five tokens in writes of two: the first write stores two, the second fails
        var flusher = _app.Services.GetRequiredService<Background.UsageFlusher>();
        try
        {
            Assert.False(await flusher.FlushAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            _store.UsageWritesBeforeFailure = int.MaxValue;
        }
        await _app.FlushUsageAsync();

        foreach (var (account, _, token) in tokens)
        {
            Assert.Equal(1, (await account.GetTokenAsync(token.Id)).UseCount);
        }
    }
}
