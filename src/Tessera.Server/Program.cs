using Tessera.Server.Commands;
using Tessera.Server.Hosting;

if (AdminCommands.Matches(args))
{
    return await AdminCommands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddTesseraServer();
var app = builder.Build();
app.UseTesseraServer();
await app.RunAsync();
return 0;

/// <summary>The entry point; public so integration tests can host it (WebApplicationFactory).</summary>
public partial class Program;
