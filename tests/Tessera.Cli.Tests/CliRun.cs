namespace Tessera.Cli.Tests;

/// <summary>Runs <c>tessera</c> in-process against a server, as a script would: URL and key from the environment, no stdin, a fresh config folder.</summary>
internal static class CliRun
{
    public static async Task<(int Exit, string Out, string Error)> AgainstAsync(Uri url, string licenseKey, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var variables = new Dictionary<string, string> { [CliEnvironment.UrlVariable] = url.ToString(), [CliEnvironment.LicenseKeyVariable] = licenseKey };
        var config = Directory.CreateTempSubdirectory("tessera-cli-").FullName;
        var exit = await TesseraCli.RunAsync(args, new CliEnvironment(new StringReader(""), output, error, variables.GetValueOrDefault, config));
        return (exit, output.ToString(), error.ToString());
    }
}
