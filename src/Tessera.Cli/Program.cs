using Tessera.Cli;

return await TesseraCli.RunAsync(args, CliEnvironment.FromProcess());
