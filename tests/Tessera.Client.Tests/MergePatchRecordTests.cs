using System.Text.Json;
using Tessera.Contracts;

namespace Tessera.Client.Tests;

/// <summary>
/// Issue 20 point 6: an update record is a JSON merge patch on both sides of the wire, through the one context the SDK
/// and the server share: a field left out is not written and reads back absent; a field set to null is written as null
/// and reads back set.
/// </summary>
public sealed class MergePatchRecordTests
{
    private static readonly TesseraJsonContext Json = TesseraJsonContext.Default;

    [Fact]
    public void Only_the_fields_that_are_set_are_written_a_null_one_as_null()
    {
        Assert.Equal("""{"name":"alice"}""", JsonSerializer.Serialize(new UpdateTokenRequest(Name: "alice"), Json.UpdateTokenRequest));
        Assert.Equal("""{"workloadId":null}""", JsonSerializer.Serialize(new UpdateTokenRequest(WorkloadId: Optional<string?>.Of(null)), Json.UpdateTokenRequest));
        Assert.Equal("""{"expiresAt":"2026-12-31T09:30:00.000Z"}""",
            JsonSerializer.Serialize(new UpdateTokenRequest(ExpiresAt: new DateTimeOffset(2026, 12, 31, 10, 30, 0, TimeSpan.FromHours(1))), Json.UpdateTokenRequest));
        Assert.Equal("""{"events":["*"],"enabled":false}""",
            JsonSerializer.Serialize(new UpdateWebhookRequest(Events: new[] { "*" }, Enabled: false), Json.UpdateWebhookRequest));
        Assert.Equal("{}", JsonSerializer.Serialize(new UpdateMemberRequest(), Json.UpdateMemberRequest));
    }

    [Fact]
    public void Absent_and_null_read_back_apart()
    {
        var patch = JsonSerializer.Deserialize("""{"note":null,"name":"alice"}""", Json.UpdateTokenRequest)!;

        Assert.Equal(Optional<string?>.Of("alice"), patch.Name);
        Assert.Equal(Optional<string?>.Of(null), patch.Note);
        Assert.False(patch.WorkloadId.IsSet);
        Assert.False(patch.ExpiresAt.IsSet);
        Assert.Equal(Optional<IReadOnlyList<string>?>.Of(null), JsonSerializer.Deserialize("""{"workloadIds":null}""", Json.UpdateMemberRequest)!.WorkloadIds);
    }
}
