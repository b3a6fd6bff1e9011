namespace Tessera.Server.Http;

/// <summary>
/// The shape of a request body a handler reads itself, for the API description only (issue 19). Unlike
/// <c>Accepts&lt;T&gt;</c>, it takes no part in routing: a body of another content type still reaches the handler,
/// which answers in its surface's own error shape (the Lattica calls accept an empty body with no content type).
/// </summary>
public sealed record DescribedBody(Type Type);
