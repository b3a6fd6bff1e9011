using Tessera.Core;
using Tessera.Server.Commands;
using Tessera.Server.Hosting;

try
{
    var commandLine = await ServerCommandLine.RunAsync(args);
    if (commandLine.ExitCode is { } exitCode)
    {
        return exitCode;
    }

    var builder = WebApplication.CreateBuilder(commandLine.Configuration);
    builder.AddTesseraServer();
    var app = builder.Build();
    app.UseTesseraServer();
    await app.RunAsync();
    return 0;
}
catch (TesseraConfigurationException e)
{
    // A configuration or schema problem found at start: say what to fix, without a stack trace.
    await Console.Error.WriteLineAsync($"tessera: {e.Message}");
    return 1;
}

/// <summary>The entry point; public so integration tests can host it (WebApplicationFactory).</summary>
public partial class Program;
