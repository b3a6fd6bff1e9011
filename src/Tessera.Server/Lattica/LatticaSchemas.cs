using System.ComponentModel;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tessera.Server.Lattica;

/// <summary>
/// The shapes of the Lattica calls, for the API description only (issue 19): the handlers in
/// <see cref="LatticaEndpoints"/> read and write Lattica's exact JSON themselves (field by field, so that the
/// Lattica SDK's answers stay byte-for-byte what it expects), and these records describe the same fields so that
/// a generated client and the reference page know them. OpenApiDocumentTests calls every Lattica operation and
/// checks the answer against the schema, so the two cannot drift apart. Nested in one class because they are one
/// description of one foreign surface, not types the server uses.
/// </summary>
public static class LatticaSchemas
{
    /// <summary>Fields every Lattica request may carry.</summary>
    public record LatticaRequest
    {
        /// <summary>Added by the Lattica SDK to every body; accepted and ignored.</summary>
        [JsonPropertyName("client_info")]
        [Description("Added by the Lattica SDK to every body; accepted and ignored.")]
        public JsonObject? ClientInfo { get; init; }
    }

    [Description("create_model: a model is a Tessera workload.")]
    public sealed record LatticaCreateModelRequest(string ModelName) : LatticaRequest;

    [Description("The model (workload) named.")]
    public sealed record LatticaModelRequest(string ModelId) : LatticaRequest;

    [Description("generate_token: modelId binds the token to that model; without it the token is unassigned.")]
    public sealed record LatticaGenerateTokenRequest(string? ModelId = null, string? TokenName = null) : LatticaRequest;

    [Description("list_tokens filters, all optional.")]
    public sealed record LatticaListTokensRequest(
        [property: Description("ACTIVE or CANCELED (CANCELLED accepted).")] string? Status = null,
        string? ModelId = null,
        [property: Description("Milliseconds since the Unix epoch: the tokens issued on that UTC day.")] long? IssueDate = null) : LatticaRequest;

    [Description("get_token_info: the token secret to describe. With the token itself as bearer, it may be left out.")]
    public sealed record LatticaTokenSecretRequest(string? Token = null) : LatticaRequest;

    [Description("update_token_info: fields left out are unchanged.")]
    public sealed record LatticaUpdateTokenRequest(
        string TokenId, string? TokenName = null, string? TokenNote = null,
        [property: Description("ACTIVE or CANCELED (CANCELLED accepted).")] string? Status = null) : LatticaRequest;

    [Description("assign_token_to_model.")]
    public sealed record LatticaAssignTokenRequest(string TokenId, string ModelIdToAssign) : LatticaRequest;

    [Description("unassign_token_from_model: nothing changes unless the token is on that model.")]
    public sealed record LatticaUnassignTokenRequest(string TokenId, string ModelId) : LatticaRequest;

    [Description("The token named by id.")]
    public sealed record LatticaTokenRequest(string TokenId) : LatticaRequest;

    /// <summary>Every answer: <c>{"result": …}</c>.</summary>
    public sealed record LatticaResult<T>(T Result);

    [Description("A refusal, in Lattica's shape: error_code is Tessera's stable code in upper case (e.g. TOKEN_NOT_FOUND).")]
    public sealed record LatticaError(
        string Error,
        [property: JsonPropertyName("error_code")] string ErrorCode);

    [Description("A model (workload). Times are milliseconds since the Unix epoch.")]
    public sealed record LatticaModel(string ModelId, string ModelName, string Description, long CreatedAt,
        [property: Description("Always ACTIVE.")] string Status,
        [property: Description("get_model_info only.")] long? UpdatedAt = null);

    public sealed record LatticaModels(IReadOnlyList<LatticaModel> Models);

    public sealed record LatticaModelInfo(LatticaModel Model);

    [Description("The new token: its secret, shown once, and its id.")]
    public sealed record LatticaIssuedToken(string Token, string TokenId);

    [Description("A token in a list. Times are milliseconds since the Unix epoch; status ACTIVE or CANCELED.")]
    public sealed record LatticaListedToken(string TokenId, string TokenName, string TokenNote, string Status, string? ModelId,
        long IssueDate, long ExpirationDate);

    public sealed record LatticaTokens(IReadOnlyList<LatticaListedToken> Tokens,
        [property: Description("\"Found N token(s).\", after the list.")] string Message);

    public sealed record LatticaTokenSummary(string TokenId, string Status, string TokenName, long ExpirationDate);

    public sealed record LatticaTokenModel(string? ModelId, string? ModelName, string? Status);

    [Description("Lattica's workers do not exist in Tessera: always null.")]
    public sealed record LatticaWorker(string? Status);

    [Description("Lattica's evaluation keys do not exist in Tessera: always null.")]
    public sealed record LatticaEvaluationKey(long? CreatedAt);

    public sealed record LatticaTokenInfo(LatticaTokenSummary Token, LatticaTokenModel Model, LatticaWorker Worker, LatticaEvaluationKey EvaluationKey);

    [Description("What was done, and a warning when the result may surprise (moved from another model, cancelled, expired).")]
    public sealed record LatticaMessage(string Message,
        [property: Description("Absent or null when there is nothing to warn of.")] string? Warning = null);

    [Description("The caller's account. Lattica's contact, billing and credit fields have no counterpart in Tessera and are null.")]
    public sealed record LatticaAccount(string AccountId, long CreatedAt, string CompanyName, string? ContactName, string? Email,
        string? PhoneNumber, long? Credits, long? AuthExpDate);
}
