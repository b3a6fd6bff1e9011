namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The test classes that assert on what an in-process server's /metrics holds run alone, after the others: no server of
/// another class starts or stops beside them. Every in-process server makes its instruments on a Meter of the same name,
/// and OpenTelemetry .NET feeds all of them into every server's metric streams; when one server is disposed, the disposal
/// of its Meter ends those shared streams in every server still running (open-telemetry/opentelemetry-dotnet#6412), so a
/// scrape could lack a counter its own server had counted (seen once in CI: tessera_database_commits_total missing).
/// A production process has one server, and no such neighbour.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetrics
{
    public const string Name = "Process-wide metrics";
}
