namespace Tessera.Server.Http;

/// <summary>
/// The query parameters one operation accepts. The handler reads with it (<see cref="QueryParameters"/>: unknown names
/// are a 400) and the endpoint carries it as metadata, from which the OpenAPI document lists the parameters.
/// </summary>
public sealed class QueryContract(params QueryParameter[] parameters)
{
    public IReadOnlyList<QueryParameter> Parameters { get; } = parameters;

    public string[] Names { get; } = [.. parameters.Select(p => p.Name)];

    public QueryParameter this[string name] => Parameters.Single(p => p.Name == name);
}
