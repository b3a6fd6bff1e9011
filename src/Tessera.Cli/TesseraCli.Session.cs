using System.CommandLine;
using Tessera.Core.Secrets;

namespace Tessera.Cli;

/// <summary><c>tessera whoami</c> and <c>tessera logout</c>: which server, account and key later commands use, and forgetting a saved key.</summary>
public static partial class TesseraCli
{
    private sealed partial class Cli
    {
        public Command WhoAmI()
        {
            var command = new Command("whoami", "Show the server, account and license key (its hint, never the key) that commands use, and where the key comes from." +
                                                Examples("tessera whoami", "tessera whoami --json | jq -r .account.id"));
            command.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, session) =>
            {
                var account = await client.GetAccountAsync(ct);
                var source = env.Variable(CliEnvironment.LicenseKeyVariable) is { Length: > 0 }
                    ? $"${CliEnvironment.LicenseKeyVariable}"
                    : $"saved by 'tessera login' in {CliConfig.PathIn(env.ConfigDirectory)}";
                var whoAmI = new WhoAmI(CliConfig.ServerKey(session.Url), account, SecretFormat.Hint(session.LicenseKey), source);
                if (output.Json)
                {
                    output.Object(whoAmI, CliJsonContext.Default.WhoAmI);
                    return ExitCodes.Ok;
                }
                output.Fields(("server", whoAmI.Url), ("account", $"{account.Name} ({account.Id})"), ("license key", whoAmI.KeyHint), ("key from", source));
                return ExitCodes.Ok;
            }));
            return command;
        }

        public Command Logout()
        {
            var command = new Command("logout", $"Forget the license key 'tessera login' saved for the server (--url, $TESSERA_URL, else the default one); keys saved for other servers stay. " +
                                                "The key itself keeps working until it is revoked ('tessera keys revoke')." +
                                                Examples("tessera logout", "tessera logout --url https://tessera.example.com"));
            command.SetAction(async (parse, ct) =>
            {
                var saved = await CliConfig.LoadAsync(env.ConfigDirectory, ct);
                var named = parse.GetValue(urlOption) ?? (env.Variable(CliEnvironment.UrlVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null) ?? saved?.Url;
                if (named is null || !Uri.TryCreate(named, UriKind.Absolute, out var url))
                {
                    await env.Error.WriteLineAsync(named is null ? "tessera: not logged in to any server." : $"tessera: '{named}' is not an absolute URL.");
                    return named is null ? ExitCodes.Ok : ExitCodes.Usage;
                }
                if (saved?.KeyFor(url) is null)
                {
                    await env.Error.WriteLineAsync($"tessera: no license key is saved for {CliConfig.ServerKey(url)}; nothing to forget.");
                    return ExitCodes.Ok;
                }
                await saved.WithLogout(url).SaveAsync(env.ConfigDirectory, ct);
                await env.Out.WriteLineAsync($"Logged out of {CliConfig.ServerKey(url)}: its key is no longer saved in {CliConfig.PathIn(env.ConfigDirectory)}.");
                return ExitCodes.Ok;
            });
            return command;
        }
    }
}
