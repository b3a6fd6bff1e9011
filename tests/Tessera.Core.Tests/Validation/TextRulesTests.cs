using Tessera.Core.Validation;

namespace Tessera.Core.Tests.Validation;

public sealed class TextRulesTests
{
    private const string Emoji = "😀";

    [Fact]
    public void A_name_is_trimmed()
    {
        var (value, errors) = Name("  Alice Smith \t");

        Assert.Equal("Alice Smith", value);
        Assert.Empty(errors);
    }

    [Fact]
    public void A_name_of_100_characters_is_accepted_and_101_is_rejected()
    {
        var hundred = new string('a', 100);
        var (ok, okErrors) = Name(hundred);
        Assert.Equal(hundred, ok);
        Assert.Empty(okErrors);

        var (tooLong, errors) = Name(new string('a', 101));
        Assert.Null(tooLong);
        Assert.Equal(["Must be at most 100 characters."], errors);
    }

    [Fact]
    public void Surrounding_whitespace_does_not_count_toward_the_length()
    {
        var (value, errors) = Name("   " + new string('a', 100) + "   ");

        Assert.Equal(new string('a', 100), value);
        Assert.Empty(errors);
    }

    [Fact]
    public void Length_counts_unicode_scalar_values_not_utf16_code_units()
    {
        var hundredEmoji = string.Concat(Enumerable.Repeat(Emoji, 100));
        Assert.Equal(200, hundredEmoji.Length);

        var (ok, okErrors) = Name(hundredEmoji);
        Assert.Equal(hundredEmoji, ok);
        Assert.Empty(okErrors);

        var (tooLong, errors) = Name(hundredEmoji + Emoji);
        Assert.Null(tooLong);
        Assert.Equal(["Must be at most 100 characters."], errors);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("   \t ")]
    [InlineData("\u3000")]
    public void An_empty_or_whitespace_only_name_is_rejected(string raw)
    {
        var (value, errors) = Name(raw);

        Assert.Null(value);
        Assert.Equal(["Must not be empty."], errors);
    }

    [Fact]
    public void A_null_name_is_rejected_as_required()
    {
        var (value, errors) = Name(null);

        Assert.Null(value);
        Assert.Equal(["Required."], errors);
    }

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("a\u0007b")]
    [InlineData("a\nb")]
    [InlineData("a\tb")]
    [InlineData("a\rb")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u0085b")]
    [InlineData("a\u2028b")]
    [InlineData("a\u2029b")]
    public void A_name_with_a_control_character_inside_is_rejected(string raw)
    {
        Assert.Equal("ab", Name("ab").Value);

        var (value, errors) = Name(raw);

        Assert.Null(value);
        Assert.Single(errors);
        Assert.StartsWith("Contains a control character", errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc\u202Egnp.exe")]
    [InlineData("a\u202Ab")]
    [InlineData("a\u202Db")]
    [InlineData("a\u2066b")]
    [InlineData("a\u2069b")]
    public void A_name_with_a_bidirectional_override_or_isolate_is_rejected(string raw)
    {
        var (value, errors) = Name(raw);

        Assert.Null(value);
        Assert.Single(errors);
    }

    [Fact]
    public void A_name_with_an_unpaired_surrogate_is_rejected()
    {
        // Not theory data: attribute strings are stored as UTF-8, which turns a lone surrogate into U+FFFD.
        string[] cases = ["\uD800", "a\uD800b", "a\uDC00b", "ab\uD83D", "\uDE00ab"];
        Assert.Equal(Emoji, Name(Emoji).Value);

        foreach (var raw in cases)
        {
            var (value, errors) = Name(raw);

            Assert.Null(value);
            Assert.Equal(["Contains an invalid (unpaired surrogate) character."], errors);
        }
    }

    [Fact]
    public void A_zero_width_joiner_inside_an_emoji_sequence_is_accepted_in_a_name()
    {
        const string family = "👨\u200D👩\u200D👧";

        var (value, errors) = Name("The " + family + " plan");

        Assert.Equal("The " + family + " plan", value);
        Assert.Empty(errors);
    }

    [Fact]
    public void Non_ascii_letters_are_accepted_in_a_name()
    {
        var (value, errors) = Name("Zoë Ångström 東京");

        Assert.Equal("Zoë Ångström 東京", value);
        Assert.Empty(errors);
    }

    [Fact]
    public void Free_text_allows_line_breaks_and_tabs_inside()
    {
        const string note = "line one\nline two\r\n\tindented";

        var (value, errors) = FreeText(note);

        Assert.Equal(note, value);
        Assert.Empty(errors);
    }

    [Fact]
    public void Free_text_of_1000_characters_is_accepted_and_1001_is_rejected()
    {
        var thousand = new string('n', 1000);
        var (ok, okErrors) = FreeText(thousand);
        Assert.Equal(thousand, ok);
        Assert.Empty(okErrors);

        var (tooLong, errors) = FreeText(new string('n', 1001));
        Assert.Null(tooLong);
        Assert.Equal(["Must be at most 1000 characters."], errors);
    }

    [Fact]
    public void Free_text_counts_unicode_scalar_values()
    {
        var thousandEmoji = string.Concat(Enumerable.Repeat(Emoji, 1000));

        Assert.Equal(thousandEmoji, FreeText(thousandEmoji).Value);
        Assert.Null(FreeText(thousandEmoji + Emoji).Value);
    }

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("a\u0007b")]
    [InlineData("a\u202Eb")]
    public void Free_text_rejects_other_control_characters_and_bidi_overrides(string raw)
    {
        var (value, errors) = FreeText(raw);

        Assert.Null(value);
        Assert.Single(errors);
    }

    [Fact]
    public void Free_text_rejects_an_unpaired_surrogate()
    {
        var (value, errors) = FreeText("line one\n\uD800");

        Assert.Null(value);
        Assert.Equal(["Contains an invalid (unpaired surrogate) character."], errors);
    }

    [Fact]
    public void Null_free_text_is_empty()
    {
        var (value, errors) = FreeText(null);

        Assert.Equal("", value);
        Assert.Empty(errors);
    }

    [Fact]
    public void Errors_are_recorded_under_the_given_field()
    {
        var errors = new ValidationErrors();
        TextRules.Name(null, "name", errors);
        TextRules.FreeText(new string('x', 1001), "note", errors);

        var thrown = Assert.Throws<TesseraException>(() => errors.ThrowIfAny());

        Assert.Equal("validation_failed", thrown.Code);
        Assert.Equal(ProblemKind.Validation, thrown.Kind);
        Assert.NotNull(thrown.Errors);
        Assert.Equal(["name", "note"], thrown.Errors.Keys.Order(StringComparer.Ordinal));
    }

    private static (string? Value, string[] Errors) Name(string? raw) =>
        Run(errors => TextRules.Name(raw, "field", errors));

    private static (string? Value, string[] Errors) FreeText(string? raw) =>
        Run(errors => TextRules.FreeText(raw, "field", errors));

    private static (string? Value, string[] Errors) Run(Func<ValidationErrors, string?> rule)
    {
        var errors = new ValidationErrors();
        var value = rule(errors);
        if (!errors.Any)
        {
            return (value, []);
        }
        var thrown = Assert.Throws<TesseraException>(() => errors.ThrowIfAny());
        Assert.NotNull(thrown.Errors);
        return (value, Assert.Single(thrown.Errors).Value);
    }
}
