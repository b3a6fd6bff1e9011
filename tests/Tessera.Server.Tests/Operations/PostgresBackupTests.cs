using System.Net;
using Npgsql;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Issue 19 §5 on PostgreSQL: the commands docs/deploy.md gives (<c>pg_dump -Fc</c>, <c>pg_restore --no-owner</c>)
/// carry a live database into a new one, and a server started on the copy finds every token as it was.
/// </summary>
public sealed class PostgresBackupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-pgbackup-").FullName;
    private readonly string _key = SecretFormat.Generate(SecretKind.LicenseKey);

    [Fact]
    public async Task Pg_dump_and_pg_restore_as_documented_carry_every_token_into_a_new_database()
    {
        var bin = PostgresCluster.RequireBinaries();
        var cancellationToken = TestContext.Current.CancellationToken;
        var source = await TestPostgres.CreateEmptyAsync();
        var target = await TestPostgres.CreateEmptyAsync();
        try
        {
            var tokens = new List<(string Secret, bool Cancelled)>();
            await using (var server = await ServerProcess.StartAsync(_directory, Environment(source)))
            {
                using var client = RestoredServer.Client(server.BaseAddress, _key);
                var workloadId = (await (await client.PostJsonAsync("/v1/workloads", new { name = "llama-3" })).ReadAsync<WorkloadResponse>(HttpStatusCode.Created)).Id;
                for (var i = 0; i < 20; i++)
                {
                    var token = await (await client.PostJsonAsync($"/v1/workloads/{workloadId}/tokens", new { name = $"user-{i}" }))
                        .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
                    if (i % 4 == 0)
                    {
                        (await client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled" })).EnsureSuccessStatusCode();
                    }
                    tokens.Add((token.Token, i % 4 == 0));
                }

                // Taken while the server runs, as an operator would (pg_dump reads one snapshot).
                var dump = Path.Combine(_directory, "tessera.dump");
                await PostgresCluster.RunAsync(Path.Combine(bin, "pg_dump"), [.. Connection(source), "-Fc", "-f", dump]);
                await PostgresCluster.RunAsync(Path.Combine(bin, "pg_restore"), [.. Connection(target), "--no-owner", "--exit-on-error", dump]);
            }

            await using var restored = await ServerProcess.StartAsync(_directory, Environment(target));
            await RestoredServer.AssertAnswersAsBeforeAsync(restored.BaseAddress, tokens, cancellationToken);
            using var provider = RestoredServer.Client(restored.BaseAddress, _key);
            Assert.Equal(HttpStatusCode.OK, (await provider.GetAsync("/v1/account", cancellationToken)).StatusCode);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestPostgres.DropAsync(source);
            await TestPostgres.DropAsync(target);
        }
    }

    private Dictionary<string, string> Environment(string connectionString) => new()
    {
        ["Tessera__Database__Provider"] = "postgres",
        ["Tessera__Database__ConnectionString"] = connectionString,
        ["Tessera__Bootstrap__LicenseKey"] = _key,
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>The libpq options naming the database of <paramref name="connectionString"/>.</summary>
    private static string[] Connection(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return ["-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database!];
    }


    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
