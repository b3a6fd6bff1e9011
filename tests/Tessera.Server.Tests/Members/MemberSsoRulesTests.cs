using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core.Members;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Members;

/// <summary>
/// Issue 22, ADR 0022: who single sign-on lets in, on each database (migration 0014: the bound subject and the removed
/// addresses). The browser flow against a real provider is SingleSignOnTests (Tessera.Console.Tests); these are the rules.
/// </summary>
public abstract class MemberSsoRulesTests(TesseraApp app)
{
    public sealed class OnSqlite(AddressedApps.Sqlite fixture) : MemberSsoRulesTests(fixture.App), IClassFixture<AddressedApps.Sqlite>;

    public sealed class OnPostgres(AddressedApps.Postgres fixture) : MemberSsoRulesTests(fixture.App.Require()), IClassFixture<AddressedApps.Postgres>;

    private MemberSsoService Sso => app.Services.GetRequiredService<MemberSsoService>();

    [Fact]
    public async Task A_new_verified_address_of_the_domain_joins_once_with_the_configured_role()
    {
        var account = await app.NewAccountAsync();
        var email = Membership.UniqueEmail("new");
        var identity = new SsoIdentity("sub-1-" + email, email.ToUpperInvariant(), EmailVerified: true, "Ada Lovelace");

        var (member, refusal) = await Sso.SignInAsync(identity, Policy(account), "203.0.113.9", TestContext.Current.CancellationToken);

        Assert.Null(refusal);
        Assert.Equal((email, "developer", "Ada Lovelace", account.Id), (member!.Email, member.Role, member.DisplayName, member.AccountId));
        var (again, _) = await Sso.SignInAsync(identity, Policy(account), null, TestContext.Current.CancellationToken);
        Assert.Equal(member.Id, again!.Id);
        var listed = Assert.Single(await ListAsync(account), m => m.Email == email);
        Assert.False(listed.HasPassword);
        var trail = await (await account.Client.GetAsync($"/v1/audit?objectId={member.Id}&action=member.joined")).Content.ReadAsStringAsync();
        Assert.Contains("\"via\":\"sso\"", trail.Replace(" ", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{0}@example.com", false, MemberSsoService.EmailUnverified)]
    [InlineData("{0}@elsewhere.test", true, MemberSsoService.DomainNotAllowed)]
    [InlineData("{0}@notexample.com", true, MemberSsoService.DomainNotAllowed)]
    [InlineData("{0}@sub.example.com", true, MemberSsoService.DomainNotAllowed)]
    [InlineData("not an address {0}", true, MemberSsoService.NoEmail)]
    public async Task Unverified_addresses_and_other_domains_are_refused_and_join_nobody(string pattern, bool verified, string expected)
    {
        var account = await app.NewAccountAsync();
        var email = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, Guid.NewGuid().ToString("N"));

        var (member, refusal) = await Sso.SignInAsync(new SsoIdentity("sub", email, verified, null), Policy(account), null, TestContext.Current.CancellationToken);

        Assert.Null(member);
        Assert.Equal(expected, refusal);
        Assert.Empty(await ListAsync(account));
    }

    [Fact]
    public async Task An_existing_member_is_matched_by_address_and_bound_to_the_first_subject()
    {
        var account = await app.NewAccountAsync();
        var invited = await app.AddMemberAsync(account, "admin");

        var (member, refusal) = await Sso.SignInAsync(new SsoIdentity("sub-a", invited.Email, true, "Someone Else"), Policy(account), null,
            TestContext.Current.CancellationToken);

        Assert.Null(refusal);
        Assert.Equal((invited.Id, "admin", invited.DisplayName), (member!.Id, member.Role, member.DisplayName));
        var (other, mismatch) = await Sso.SignInAsync(new SsoIdentity("sub-b", invited.Email, true, null), Policy(account), null,
            TestContext.Current.CancellationToken);
        Assert.Equal(MemberSsoService.SubjectMismatch, mismatch);
        Assert.Equal(invited.Id, other!.Id);
        Assert.Null((await Sso.SignInAsync(new SsoIdentity("sub-a", invited.Email, true, null), Policy(account), null,
            TestContext.Current.CancellationToken)).Refusal);
    }

    [Fact]
    public async Task A_member_of_another_account_is_refused()
    {
        var account = await app.NewAccountAsync();
        var other = await app.NewAccountAsync();
        var elsewhere = await app.AddMemberAsync(other, "developer");

        var (_, refusal) = await Sso.SignInAsync(new SsoIdentity("sub", elsewhere.Email, true, null), Policy(account), null, TestContext.Current.CancellationToken);

        Assert.Equal(MemberSsoService.OtherAccount, refusal);
    }

    [Fact]
    public async Task A_removed_member_is_not_brought_back_until_invited_again()
    {
        var account = await app.NewAccountAsync();
        var email = Membership.UniqueEmail("removed");
        var identity = new SsoIdentity("sub-r", email, true, null);
        var (member, _) = await Sso.SignInAsync(identity, Policy(account), null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, (await account.Client.DeleteAsync($"/v1/members/{member!.Id}")).StatusCode);

        var (none, refusal) = await Sso.SignInAsync(identity, Policy(account), null, TestContext.Current.CancellationToken);
        Assert.Null(none);
        Assert.Equal(MemberSsoService.MemberRemoved, refusal);
        Assert.Empty(await ListAsync(account));

        var back = await app.AddMemberAsync(account, "viewer", email);
        var (matched, noRefusal) = await Sso.SignInAsync(identity, Policy(account), null, TestContext.Current.CancellationToken);
        Assert.Null(noRefusal);
        Assert.Equal(back.Id, matched!.Id);
    }

    [Fact]
    public async Task An_account_that_does_not_exist_is_refused_not_an_error()
    {
        var (_, refusal) = await Sso.SignInAsync(new SsoIdentity("sub", Membership.UniqueEmail(), true, null),
            new SsoPolicy("example.com", "acct_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f", "viewer"), null, TestContext.Current.CancellationToken);

        Assert.Equal(MemberSsoService.AccountMissing, refusal);
    }

    [Fact]
    public async Task An_owner_bound_to_the_provider_closes_key_sign_in_only_while_single_sign_on_is_configured()
    {
        var account = await app.NewAccountAsync();
        var people = app.Services.GetRequiredService<MemberSignInService>();
        var (member, _) = await Sso.SignInAsync(new SsoIdentity("sub-o", Membership.UniqueEmail("owner"), true, null), Policy(account, "owner"), null,
            TestContext.Current.CancellationToken);
        Assert.True(member!.IsOwner);

        Assert.True(await people.HasOwnerWithPasswordAsync(account.Id, TestContext.Current.CancellationToken, ssoCounts: true));
        Assert.False(await people.HasOwnerWithPasswordAsync(account.Id, TestContext.Current.CancellationToken, ssoCounts: false));
    }

    private static SsoPolicy Policy(TestAccount account, string role = "developer") => new("example.com", account.Id, role);

    private static async Task<IReadOnlyList<MemberResponse>> ListAsync(TestAccount account) =>
        (await (await account.Client.GetAsync("/v1/members")).ReadAsync<ItemsResponse<MemberResponse>>()).Items;
}
