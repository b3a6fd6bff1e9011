using Microsoft.Extensions.Configuration;
using Tessera.Core;
using Tessera.Core.Leaks;
using Tessera.Server.Hosting;

namespace Tessera.Server.Tests.Leaks;

/// <summary>Tessera:Leaks is checked while settings are read, so a typo stops the server before it takes a report.</summary>
public sealed class LeakSettingsTests
{
    [Fact]
    public void Without_configuration_reports_cancel_and_keys_come_from_github()
    {
        var settings = TesseraSettings.From(new ConfigurationBuilder().Build());

        Assert.Equal(LeakAction.Cancel, settings.Leaks.ParsedAction);
        Assert.Equal("https://api.github.com/meta/public_keys/secret_scanning", settings.Leaks.GitHubKeysUrl);
        Assert.True(settings.Leaks.GitHubEnabled);
    }

    [Theory]
    [InlineData("Tessera:Leaks:Action", "revoke", "Tessera:Leaks:Action")]
    [InlineData("Tessera:Leaks:GitHubKeysUrl", "ftp://example.com/keys", "Tessera:Leaks:GitHubKeysUrl")]
    [InlineData("Tessera:Leaks:KeysMaxAge", "00:00:00", "KeysMaxAge")]
    public void A_bad_value_stops_the_server_with_a_message_naming_the_key(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var error = Assert.Throws<TesseraConfigurationException>(() => TesseraSettings.From(configuration));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_is_accepted_in_any_case_and_an_empty_keys_url_turns_the_github_endpoint_off()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tessera:Leaks:Action"] = "Report",
            ["Tessera:Leaks:GitHubKeysUrl"] = "",
        }).Build();

        var settings = TesseraSettings.From(configuration);

        Assert.Equal(LeakAction.Report, settings.Leaks.ParsedAction);
        Assert.False(settings.Leaks.GitHubEnabled);
    }
}
