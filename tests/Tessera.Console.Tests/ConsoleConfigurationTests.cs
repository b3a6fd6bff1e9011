namespace Tessera.Console.Tests;

/// <summary>The console's settings are checked at start, like the rest of Tessera's.</summary>
public sealed class ConsoleConfigurationTests
{
    [Fact]
    public async Task A_bad_console_setting_stops_the_server_with_a_message_and_no_stack_trace()
    {
        var directory = Directory.CreateTempSubdirectory("tessera-console-config-").FullName;
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(directory,
                new Dictionary<string, string> { ["Tessera__Console__SessionIdleTimeout"] = "-01:00:00" }));
            Assert.Contains("tessera: Tessera:Console:SessionIdleTimeout must be a positive TimeSpan", failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_session_lifetime_that_is_not_positive_stops_the_server_with_a_message()
    {
        var directory = Directory.CreateTempSubdirectory("tessera-console-config-").FullName;
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(directory,
                new Dictionary<string, string> { ["Tessera__Console__SessionLifetime"] = "00:00:00" }));
            Assert.Contains("tessera: Tessera:Console:SessionLifetime must be a positive TimeSpan", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/", "true", "example.com", "Tessera:Console:Oidc:Authority must be an https URL")]
    [InlineData("https://id.example.com/", "true", "", "Tessera:Console:Oidc:EmailDomain is required")]
    [InlineData("https://id.example.com/", "true", "@example.com", "Tessera:Console:Oidc:EmailDomain is required")]
    public async Task Single_sign_on_set_up_in_part_stops_the_server_with_a_message_naming_the_setting(string authority, string requireHttps, string domain,
        string message)
    {
        var directory = Directory.CreateTempSubdirectory("tessera-console-config-").FullName;
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(directory,
                new Dictionary<string, string>
                {
                    ["Tessera__Console__Oidc__Authority"] = authority,
                    ["Tessera__Console__Oidc__RequireHttpsMetadata"] = requireHttps,
                    ["Tessera__Console__Oidc__ClientId"] = "tessera",
                    ["Tessera__Console__Oidc__ClientSecret"] = "not-shown-anywhere",
                    ["Tessera__Console__Oidc__EmailDomain"] = domain,
                    ["Tessera__Console__Oidc__AccountId"] = "acct_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f",
                }));
            Assert.Contains("tessera: " + message, failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("not-shown-anywhere", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
