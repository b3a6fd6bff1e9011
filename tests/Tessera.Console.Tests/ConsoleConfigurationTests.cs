using Tessera.Server.Tests.Infrastructure;

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
}
