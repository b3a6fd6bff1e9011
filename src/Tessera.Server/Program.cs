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

    // No configuration reload on change: its watcher covers the content root and everything below it, where the
    // default database (data/tessera.db) lives, so every write to the database's WAL woke it (7 % of the server's CPU
    // under a write load, measured). Nothing in Tessera rereads its settings at run time; an operator may still turn it
    // on with --hostBuilder:reloadConfigOnChange=true (a later argument wins).
    var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. commandLine.Configuration]);
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
