using System.Text;
using Tessera.Core.Storage;

namespace Tessera.Core.Tests.Storage;

public sealed class ListCursorTests
{
    private const string TokenId = "tok_0190f5a2b3c47def8abc0123456789ab";
    private const string WorkloadId = "wl_0190f5a2b3c47def8abc0123456789ab";

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(1772366400000L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void A_number_cursor_round_trips(long number)
    {
        var cursor = new ListCursor("tokens", "createdAt", TokenId, number, null);

        var decoded = ListCursor.Decode(cursor.Encode(), "tokens", "createdAt", Ids.Token);

        Assert.Equal(cursor, decoded);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("")]
    [InlineData("a|b||c|")]
    [InlineData("|")]
    [InlineData("zoë ångström 東京 😀")]
    [InlineData("n42")]
    public void A_text_cursor_round_trips(string text)
    {
        var cursor = new ListCursor("tokens", "name", TokenId, null, text);

        var decoded = ListCursor.Decode(cursor.Encode(), "tokens", "name", Ids.Token);

        Assert.Equal(cursor, decoded);
    }

    [Fact]
    public void An_encoded_cursor_is_url_safe()
    {
        // Text chosen so that standard base64 would contain '+', '/' and '=' padding.
        var encoded = new ListCursor("workloads", "name", WorkloadId, null, "~~~??>>>").Encode();

        Assert.DoesNotContain('+', encoded);
        Assert.DoesNotContain('/', encoded);
        Assert.DoesNotContain('=', encoded);
        Assert.Equal("~~~??>>>", ListCursor.Decode(encoded, "workloads", "name", Ids.Workload).Text);
    }

    [Theory]
    [InlineData("garbage!!")]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("@@@@")]
    [InlineData("not a cursor at all")]
    public void Garbage_is_refused_as_an_invalid_cursor(string value)
    {
        AssertInvalid(value, "tokens", "createdAt", Ids.Token);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("c1|tokens|createdAt")]
    [InlineData("c2|tokens|createdAt|tok_0190f5a2b3c47def8abc0123456789ab|n5")]
    [InlineData("c1|tokens|createdAt|tok_0190f5a2b3c47def8abc0123456789ab|")]
    [InlineData("c1|tokens|createdAt|tok_0190f5a2b3c47def8abc0123456789ab|x5")]
    [InlineData("c1|tokens|createdAt|tok_0190f5a2b3c47def8abc0123456789ab|nabc")]
    [InlineData("c1|tokens|createdAt|tok_0190f5a2b3c47def8abc0123456789ab|n")]
    [InlineData("c1|tokens|createdAt|tok_0190f5a2b3c47def8abc0123456789ab|n99999999999999999999")]
    public void Valid_base64_of_junk_is_refused(string raw)
    {
        var value = Convert.ToBase64String(Encoding.UTF8.GetBytes(raw));

        AssertInvalid(value, "tokens", "createdAt", Ids.Token);
    }

    [Fact]
    public void Base64_of_invalid_utf8_is_refused()
    {
        var value = Convert.ToBase64String([0xC3, 0x28, 0xFF, 0xFE]);

        AssertInvalid(value, "tokens", "createdAt", Ids.Token);
    }

    [Fact]
    public void A_cursor_of_another_list_is_refused()
    {
        var encoded = new ListCursor("workloads", "name", TokenId, null, "alice").Encode();
        Assert.NotNull(ListCursor.Decode(encoded, "workloads", "name", Ids.Token));

        AssertInvalid(encoded, "tokens", "name", Ids.Token);
    }

    [Fact]
    public void A_cursor_of_another_sort_is_refused()
    {
        var encoded = new ListCursor("tokens", "createdAt", TokenId, 5, null).Encode();
        Assert.NotNull(ListCursor.Decode(encoded, "tokens", "createdAt", Ids.Token));

        AssertInvalid(encoded, "tokens", "expiresAt", Ids.Token);
        AssertInvalid(encoded, "tokens", "lastUsedAt", Ids.Token);
    }

    [Fact]
    public void A_cursor_whose_key_kind_does_not_fit_the_sort_is_refused()
    {
        var textKey = new ListCursor("tokens", "createdAt", TokenId, null, "alice").Encode();
        var numberKey = new ListCursor("tokens", "name", TokenId, 5, null).Encode();
        Assert.NotNull(ListCursor.Decode(new ListCursor("tokens", "name", TokenId, null, "alice").Encode(), "tokens", "name", Ids.Token));

        AssertInvalid(textKey, "tokens", "createdAt", Ids.Token);
        AssertInvalid(numberKey, "tokens", "name", Ids.Token);
    }

    [Theory]
    [InlineData(WorkloadId)]
    [InlineData("tok_0190F5A2B3C47DEF8ABC0123456789AB")]
    [InlineData("tok_123")]
    [InlineData("")]
    public void A_cursor_whose_id_is_not_a_well_formed_id_of_the_list_is_refused(string id)
    {
        var encoded = new ListCursor("tokens", "createdAt", id, 5, null).Encode();

        AssertInvalid(encoded, "tokens", "createdAt", Ids.Token);
    }

    [Fact]
    public void Over_long_input_is_refused()
    {
        var valid = new ListCursor("tokens", "createdAt", TokenId, 5, null).Encode();
        Assert.NotNull(ListCursor.Decode(valid, "tokens", "createdAt", Ids.Token));

        AssertInvalid(new string('A', 2000), "tokens", "createdAt", Ids.Token);
        var longText = new ListCursor("tokens", "name", TokenId, null, new string('a', 1500)).Encode();
        AssertInvalid(longText, "tokens", "name", Ids.Token);
    }

    private static void AssertInvalid(string value, string list, string sort, string idPrefix)
    {
        var error = Assert.Throws<TesseraException>(() => ListCursor.Decode(value, list, sort, idPrefix));
        Assert.Equal("invalid_cursor", error.Code);
        Assert.Equal(ProblemKind.BadRequest, error.Kind);
    }
}
