namespace Tessera.Core.Tests;

public sealed class BearerTests
{
    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER abc", "abc")]
    [InlineData("Bearer   abc  ", "abc")]
    [InlineData("Bearer tsq_00000000000000000000000000000000000000000000nuVkA", "tsq_00000000000000000000000000000000000000000000nuVkA")]
    public void From_returns_the_credential_of_a_bearer_header(string header, string expected)
    {
        Assert.Equal(expected, Bearer.From(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic x")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer    ")]
    [InlineData("Bearerabc")]
    [InlineData("abc")]
    public void From_returns_null_for_a_missing_empty_or_other_scheme_header(string? header)
    {
        Assert.Equal("abc", Bearer.From("Bearer abc"));

        Assert.Null(Bearer.From(header));
    }
}
