using Microsoft.Extensions.Time.Testing;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;

namespace Tessera.Core.Tests.Tokens;

public sealed class QueryTokenTests
{
    private const string AccountId = "acct_0190f5a2b3c47def8abc0123456789ab";
    private const string WorkloadId = "wl_0190f5a2b3c47def8abc0123456789ac";
    private const string OtherWorkloadId = "wl_0190f5a2b3c47def8abc0123456789ad";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => Instants.Now(_time);

    [Fact]
    public void Issue_makes_an_active_version_1_token_that_expires_one_lifetime_from_now()
    {
        var secret = SecretFormat.Generate(SecretKind.QueryToken);
        var now = Now;

        var token = QueryToken.Issue(AccountId, "Alice", "a note", WorkloadId, secret, now, Lifetime);

        Assert.True(Ids.IsWellFormed(Ids.Token, token.Id));
        Assert.Equal(AccountId, token.AccountId);
        Assert.Equal("Alice", token.Name);
        Assert.Equal("a note", token.Note);
        Assert.Equal(WorkloadId, token.WorkloadId);
        Assert.Equal(TokenStatus.Active, token.Status);
        Assert.Equal(1, token.Version);
        Assert.Equal(now, token.CreatedAt);
        Assert.Equal(now, token.UpdatedAt);
        Assert.Equal(now + Lifetime, token.ExpiresAt);
        Assert.Null(token.LastUsedAt);
        Assert.Equal(0, token.UseCount);
        Assert.Equal(SecretFormat.Hint(secret), token.Hint);
        Assert.Equal(SecretHash.Of(secret), token.Hash);
        Assert.False(token.HasChanges);
        Assert.Equal(TokenState.Usable, token.StateAt(now));
    }

    [Fact]
    public void Issue_without_a_workload_makes_an_unassigned_token()
    {
        var token = Issue(workloadId: null);

        Assert.Null(token.WorkloadId);
        Assert.Equal(TokenState.Unassigned, token.StateAt(Now));
    }

    [Theory]
    [InlineData(false, false, false, TokenState.Unassigned)]
    [InlineData(false, false, true, TokenState.Usable)]
    [InlineData(false, true, false, TokenState.Expired)]
    [InlineData(false, true, true, TokenState.Expired)]
    [InlineData(true, false, false, TokenState.Cancelled)]
    [InlineData(true, false, true, TokenState.Cancelled)]
    [InlineData(true, true, false, TokenState.Cancelled)]
    [InlineData(true, true, true, TokenState.Cancelled)]
    public void State_precedence_is_cancelled_then_expired_then_unassigned_then_usable(
        bool cancelled, bool expired, bool assigned, TokenState expected)
    {
        var token = Issue(assigned ? WorkloadId : null);
        if (cancelled)
        {
            token.Cancel(Now);
        }
        var at = expired ? token.ExpiresAt : token.ExpiresAt - TimeSpan.FromSeconds(1);

        Assert.Equal(expected, token.StateAt(at));
        Assert.Equal(expected, TokenStates.Of(
            cancelled ? TokenStatus.Cancelled : TokenStatus.Active, token.ExpiresAt, assigned, at));
    }

    [Fact]
    public void A_token_is_usable_one_second_before_expiry_and_expired_at_and_after_it()
    {
        var token = Issue(WorkloadId);

        _time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(TokenState.Usable, token.StateAt(Now));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(token.ExpiresAt, Now);
        Assert.Equal(TokenState.Expired, token.StateAt(Now));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenState.Expired, token.StateAt(Now));
    }

    [Fact]
    public void A_token_is_usable_one_millisecond_before_expiry()
    {
        var token = Issue(WorkloadId);

        Assert.Equal(TokenState.Usable, token.StateAt(token.ExpiresAt - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(TokenState.Expired, token.StateAt(token.ExpiresAt));
    }

    [Fact]
    public void Renew_of_an_active_token_sets_expiry_one_lifetime_from_now_and_stamps_it()
    {
        var token = Issue(WorkloadId);
        _time.Advance(TimeSpan.FromDays(10));
        var now = Now;

        token.Renew(now, Lifetime);

        Assert.Equal(now + Lifetime, token.ExpiresAt);
        Assert.Equal(now, token.UpdatedAt);
        Assert.True(token.HasChanges);
        Assert.Equal(TokenStatus.Active, token.Status);
    }

    [Fact]
    public void Renew_of_an_expired_active_token_makes_it_usable_again()
    {
        var token = Issue(WorkloadId);
        _time.Advance(Lifetime + TimeSpan.FromDays(3));
        Assert.Equal(TokenState.Expired, token.StateAt(Now));
        var now = Now;

        token.Renew(now, Lifetime);

        Assert.Equal(now + Lifetime, token.ExpiresAt);
        Assert.Equal(now, token.UpdatedAt);
        Assert.True(token.HasChanges);
        Assert.Equal(TokenState.Usable, token.StateAt(now));
    }

    [Fact]
    public void Renew_of_a_cancelled_token_throws_token_cancelled_and_changes_nothing()
    {
        var token = Issue(WorkloadId);
        token.Cancel(Now);
        token.MarkSaved();
        var (expiresAt, updatedAt, version) = (token.ExpiresAt, token.UpdatedAt, token.Version);
        _time.Advance(TimeSpan.FromDays(1));

        var error = Assert.Throws<TesseraException>(() => token.Renew(Now, Lifetime));

        Assert.Equal("token_cancelled", error.Code);
        Assert.Equal(ProblemKind.Conflict, error.Kind);
        Assert.Equal(expiresAt, token.ExpiresAt);
        Assert.Equal(updatedAt, token.UpdatedAt);
        Assert.Equal(version, token.Version);
        Assert.Equal(TokenStatus.Cancelled, token.Status);
        Assert.False(token.HasChanges);
    }

    [Fact]
    public void Cancel_and_reactivate_move_status_freely_and_stamp_the_change()
    {
        var token = Issue(WorkloadId);
        _time.Advance(TimeSpan.FromMinutes(5));
        var cancelledAt = Now;

        token.Cancel(cancelledAt);

        Assert.Equal(TokenStatus.Cancelled, token.Status);
        Assert.Equal(TokenState.Cancelled, token.StateAt(cancelledAt));
        Assert.Equal(cancelledAt, token.UpdatedAt);
        Assert.True(token.HasChanges);

        token.MarkSaved();
        _time.Advance(TimeSpan.FromMinutes(5));
        var reactivatedAt = Now;

        token.Reactivate(reactivatedAt);

        Assert.Equal(TokenStatus.Active, token.Status);
        Assert.Equal(TokenState.Usable, token.StateAt(reactivatedAt));
        Assert.Equal(reactivatedAt, token.UpdatedAt);
        Assert.True(token.HasChanges);
    }

    [Fact]
    public void Cancel_of_a_cancelled_token_and_reactivate_of_an_active_one_are_no_ops()
    {
        var active = Issue(WorkloadId);
        var issuedAt = active.UpdatedAt;
        _time.Advance(TimeSpan.FromMinutes(1));

        active.Reactivate(Now);

        Assert.Equal(TokenStatus.Active, active.Status);
        Assert.False(active.HasChanges);
        Assert.Equal(issuedAt, active.UpdatedAt);

        var cancelled = Issue(WorkloadId);
        cancelled.Cancel(Now);
        cancelled.MarkSaved();
        var cancelledAt = cancelled.UpdatedAt;
        _time.Advance(TimeSpan.FromMinutes(1));

        cancelled.Cancel(Now);

        Assert.Equal(TokenStatus.Cancelled, cancelled.Status);
        Assert.False(cancelled.HasChanges);
        Assert.Equal(cancelledAt, cancelled.UpdatedAt);
    }

    [Fact]
    public void AssignTo_binds_reassigns_and_Unassign_unbinds_each_stamping_the_change()
    {
        var token = Issue(workloadId: null);
        var hash = token.Hash;

        _time.Advance(TimeSpan.FromSeconds(1));
        token.AssignTo(WorkloadId, Now);
        Assert.Equal(WorkloadId, token.WorkloadId);
        Assert.Equal(Now, token.UpdatedAt);
        Assert.True(token.HasChanges);
        Assert.Equal(TokenState.Usable, token.StateAt(Now));
        token.MarkSaved();

        _time.Advance(TimeSpan.FromSeconds(1));
        token.AssignTo(OtherWorkloadId, Now);
        Assert.Equal(OtherWorkloadId, token.WorkloadId);
        Assert.Equal(Now, token.UpdatedAt);
        Assert.True(token.HasChanges);
        token.MarkSaved();

        _time.Advance(TimeSpan.FromSeconds(1));
        token.Unassign(Now);
        Assert.Null(token.WorkloadId);
        Assert.Equal(Now, token.UpdatedAt);
        Assert.True(token.HasChanges);
        Assert.Equal(TokenState.Unassigned, token.StateAt(Now));

        Assert.Equal(hash, token.Hash);
    }

    [Fact]
    public void AssignTo_the_same_workload_and_Unassign_of_an_unassigned_token_are_no_ops()
    {
        var assigned = Issue(WorkloadId);
        var unassigned = Issue(workloadId: null);
        var issuedAt = assigned.UpdatedAt;
        _time.Advance(TimeSpan.FromSeconds(1));

        assigned.AssignTo(WorkloadId, Now);
        unassigned.Unassign(Now);

        Assert.Equal(WorkloadId, assigned.WorkloadId);
        Assert.False(assigned.HasChanges);
        Assert.Equal(issuedAt, assigned.UpdatedAt);
        Assert.Null(unassigned.WorkloadId);
        Assert.False(unassigned.HasChanges);
        Assert.Equal(issuedAt, unassigned.UpdatedAt);
    }

    [Fact]
    public void SetExpiry_accepts_one_millisecond_from_now_and_exactly_one_lifetime_from_now()
    {
        var token = Issue(WorkloadId);
        _time.Advance(TimeSpan.FromHours(1));
        var now = Now;

        token.SetExpiry(now + TimeSpan.FromMilliseconds(1), now, Lifetime);
        Assert.Equal(now + TimeSpan.FromMilliseconds(1), token.ExpiresAt);
        Assert.Equal(now, token.UpdatedAt);
        Assert.True(token.HasChanges);

        token.SetExpiry(now + Lifetime, now, Lifetime);
        Assert.Equal(now + Lifetime, token.ExpiresAt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    [InlineData(-1)]
    public void SetExpiry_rejects_now_and_the_past_with_an_expiresAt_error(long offsetMilliseconds)
    {
        AssertSetExpiryRejected(TimeSpan.FromMilliseconds(offsetMilliseconds));
    }

    [Fact]
    public void SetExpiry_rejects_one_millisecond_beyond_one_lifetime_from_now()
    {
        AssertSetExpiryRejected(Lifetime + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void SetExpiry_to_the_current_expiry_is_a_no_op()
    {
        var token = Issue(WorkloadId);
        var issuedAt = token.UpdatedAt;

        token.SetExpiry(token.ExpiresAt, Now, Lifetime);

        Assert.False(token.HasChanges);
        Assert.Equal(issuedAt, token.UpdatedAt);
    }

    [Fact]
    public void Rename_and_SetNote_stamp_a_change_and_are_no_ops_for_the_same_value()
    {
        var token = Issue(WorkloadId);
        var issuedAt = token.UpdatedAt;
        _time.Advance(TimeSpan.FromSeconds(1));

        token.Rename("Alice", Now);
        token.SetNote("a note", Now);
        Assert.False(token.HasChanges);
        Assert.Equal(issuedAt, token.UpdatedAt);

        token.Rename("Bob", Now);
        Assert.Equal("Bob", token.Name);
        Assert.Equal(Now, token.UpdatedAt);
        Assert.True(token.HasChanges);
        token.MarkSaved();

        _time.Advance(TimeSpan.FromSeconds(1));
        token.SetNote("another note", Now);
        Assert.Equal("another note", token.Note);
        Assert.Equal(Now, token.UpdatedAt);
        Assert.True(token.HasChanges);
    }

    [Fact]
    public void MarkSaved_bumps_the_version_once_per_save_and_clears_the_changes()
    {
        var token = Issue(WorkloadId);
        _time.Advance(TimeSpan.FromSeconds(1));
        token.Cancel(Now);
        token.Rename("Bob", Now);
        token.Unassign(Now);
        Assert.True(token.HasChanges);

        token.MarkSaved();

        Assert.Equal(2, token.Version);
        Assert.False(token.HasChanges);

        token.MarkSaved();

        Assert.Equal(2, token.Version);
        Assert.False(token.HasChanges);
    }

    [Fact]
    public void MarkSaved_without_changes_keeps_the_version()
    {
        var token = Issue(WorkloadId);

        token.MarkSaved();

        Assert.Equal(1, token.Version);
        Assert.False(token.HasChanges);
    }

    private void AssertSetExpiryRejected(TimeSpan fromNow)
    {
        var token = Issue(WorkloadId);
        _time.Advance(TimeSpan.FromHours(1));
        var now = Now;
        var before = (token.ExpiresAt, token.UpdatedAt);

        var error = Assert.Throws<TesseraException>(() => token.SetExpiry(now + fromNow, now, Lifetime));

        Assert.Equal("validation_failed", error.Code);
        Assert.Equal(ProblemKind.Validation, error.Kind);
        Assert.NotNull(error.Errors);
        Assert.Equal("expiresAt", Assert.Single(error.Errors).Key);
        Assert.Equal(before, (token.ExpiresAt, token.UpdatedAt));
        Assert.False(token.HasChanges);
    }

    private QueryToken Issue(string? workloadId) =>
        QueryToken.Issue(AccountId, "Alice", "a note", workloadId, SecretFormat.Generate(SecretKind.QueryToken), Now, Lifetime);

    [Fact]
    public void Marking_a_token_leaked_is_a_change_but_the_same_place_again_is_not()
    {
        var token = QueryToken.Issue(AccountId, "Alice", "", WorkloadId, SecretFormat.Generate(SecretKind.QueryToken), Now, Lifetime);
        token.MarkSaved();
        _time.Advance(TimeSpan.FromMinutes(1));

        token.MarkLeaked(new TokenLeak(Now, "https://github.com/a/b", "content"), Now);
        Assert.True(token.HasChanges);
        Assert.Equal((Now, "https://github.com/a/b"), (token.Leak!.At, token.Leak.Url));
        Assert.Equal(Now, token.UpdatedAt);
        token.MarkSaved();

        _time.Advance(TimeSpan.FromMinutes(1));
        token.MarkLeaked(new TokenLeak(Now, "https://github.com/a/b", "content"), Now);
        Assert.False(token.HasChanges); // GitHub resending the same report
        token.MarkLeaked(new TokenLeak(Now, "https://github.com/a/c", "content"), Now);
        Assert.True(token.HasChanges); // seen somewhere else too: the marker moves to the latest report
        Assert.Equal(("https://github.com/a/c", Now), (token.Leak!.Url, token.Leak.At));
        Assert.Equal(TokenStatus.Active, token.Status); // marking alone does not cancel; the use case decides
    }
}
