using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using Tessera.Contracts;

namespace Tessera.Client.Tests;

/// <summary>
/// Issue 21 (SDK): the clients behind interfaces a user can mock, the token values as extensible enums, and one method
/// convention (id, then the request record, then ifMatch, then the cancellation token), against a real server process.
/// </summary>
public sealed class SdkShapeTests(ProcessServer server) : IClassFixture<ProcessServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Code a provider writes against the interface: one token per student, bound to the class's workload.</summary>
    private sealed class Enrolment(ITesseraManagementClient tessera)
    {
        public async Task<string> EnrolAsync(string student, string workloadId, CancellationToken cancellationToken) =>
            (await tessera.CreateTokenAsync(new CreateTokenRequest(student, workloadId, "enrolled"), cancellationToken)).Token;
    }

    [Fact]
    public async Task Code_written_against_the_interface_runs_on_a_mock_and_on_the_registered_client()
    {
        var mock = Substitute.For<ITesseraManagementClient>();
        mock.CreateTokenAsync(Arg.Any<CreateTokenRequest>(), Arg.Any<CancellationToken>())
            .Returns(call => new CreatedTokenResponse(Sample(call.Arg<CreateTokenRequest>()), "tsq_mocked"));

        Assert.Equal("tsq_mocked", await new Enrolment(mock).EnrolAsync("ada", "wl_1", Ct));
        await mock.Received(1).CreateTokenAsync(new CreateTokenRequest("ada", "wl_1", "enrolled"), Arg.Any<CancellationToken>());

        var services = new ServiceCollection();
        services.AddTesseraClient(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BaseAddress"] = server.Url.ToString(), ["LicenseKey"] = server.LicenseKey,
        }).Build());
        await using var provider = services.BuildServiceProvider();
        var real = provider.GetRequiredService<ITesseraManagementClient>();
        var workload = await real.CreateWorkloadAsync(new CreateWorkloadRequest($"class-{Guid.NewGuid():N}"[..20]), Ct);

        var secret = await new Enrolment(real).EnrolAsync("ada", workload.Id, Ct);

        using var query = new TesseraQueryClient(server.Url, secret);
        ITesseraQueryClient asInterface = query;
        Assert.Equal(workload.Id, (await asInterface.HandshakeAsync(Ct)).Workload.Id);
    }

    [Fact]
    public async Task Known_values_filter_and_compare_and_an_unknown_value_reaches_the_server_as_written()
    {
        using var client = server.Client();
        var prefix = $"enum-{Guid.NewGuid():N}"[..13];
        var kept = await client.CreateTokenAsync(new CreateTokenRequest(prefix + "-b"), Ct);
        var cancelled = await client.CreateTokenAsync(new CreateTokenRequest(prefix + "-a"), Ct);
        await client.CancelTokenAsync(cancelled.Id, Ct);

        var onlyCancelled = await client.ListTokensAsync(new TokenListFilter { NameContains = prefix, State = TokenState.Cancelled }, Ct).ToListAsync(Ct);
        Assert.Equal([cancelled.Id], onlyCancelled.Select(t => t.Id));
        Assert.True(onlyCancelled[0].State == TokenState.Cancelled);
        Assert.True(onlyCancelled[0].Status == TokenStatus.Cancelled);
        var byName = await client.ListTokensAsync(new TokenListFilter { NameContains = prefix, Sort = TokenSort.Name, Status = TokenStatus.Active }, Ct).ToListAsync(Ct);
        Assert.Equal([kept.Id], byName.Select(t => t.Id));
        var asStrings = await client.ListTokensAsync(new TokenListFilter { NameContains = prefix, Sort = "name" }, Ct).ToListAsync(Ct);
        Assert.Equal([cancelled.Id, kept.Id], asStrings.Select(t => t.Id));
        Assert.Equal("expiring", TokenState.Expiring.ToString());

        // A value this SDK does not know is sent as it is; this server refuses it with its own code.
        var unknown = await Assert.ThrowsAsync<TesseraApiException>(() =>
            client.ListTokensAsync(new TokenListFilter { State = new TokenState("dormant") }, Ct).ToListAsync(Ct).AsTask());
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_query"), (unknown.StatusCode, unknown.Code));
    }

    [Fact]
    public async Task Updates_take_their_request_record_with_if_match_after_it()
    {
        using var client = server.Client();
        var workload = await client.CreateWorkloadAsync(new CreateWorkloadRequest($"shape-{Guid.NewGuid():N}"[..20], "first"), Ct);

        var renamed = await client.UpdateWorkloadAsync(workload.Id, new UpdateWorkloadRequest(Name: workload.Name + "-2"), workload.Version, Ct);
        Assert.Equal((workload.Name + "-2", "first"), (renamed.Name, renamed.Description));
        var stale = await Assert.ThrowsAsync<TesseraApiException>(() =>
            client.UpdateWorkloadAsync(workload.Id, new UpdateWorkloadRequest(Description: ""), workload.Version, Ct));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("", (await client.UpdateWorkloadAsync(workload.Id, new UpdateWorkloadRequest(Description: ""), renamed.Version, Ct)).Description);

        var token = await client.CreateTokenAsync(new CreateTokenRequest("shaped", workload.Id), Ct);
        Assert.Equal("shaped-2", (await client.UpdateTokenAsync(token.Id, new UpdateTokenRequest(Name: "shaped-2"), null, Ct)).Name);
    }

    private static TokenResponse Sample(CreateTokenRequest request) => new()
    {
        Id = "tok_mocked", Name = request.Name, Note = request.Note ?? "", WorkloadId = request.WorkloadId, Status = "active", State = "usable",
        CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch, ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(30),
        UseCount = 0, Hint = "tsq_…mock", Version = 1,
    };
}
