namespace Tessera.Core;

/// <summary>
/// A refusal decided by a use case: a kind (mapped to a status by each door), a stable code, a
/// human detail that never contains a secret, and per-field messages for validation.
/// </summary>
public sealed class TesseraException : Exception
{
    public TesseraException(ProblemKind kind, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(detail)
    {
        Kind = kind;
        Code = code;
        Errors = errors;
    }

    public ProblemKind Kind { get; }

    public string Code { get; }

    public IReadOnlyDictionary<string, string[]>? Errors { get; }

    public static TesseraException NotFound(string code, string what) =>
        new(ProblemKind.NotFound, code, Refusals.NoSuch(what));

    public static TesseraException Invalid(string field, string message) =>
        new(ProblemKind.Validation, ErrorCodes.ValidationFailed, Refusals.InvalidFields,
            new Dictionary<string, string[]> { [field] = [message] });

    public static TesseraException Stale() =>
        new(ProblemKind.PreconditionFailed, ErrorCodes.PreconditionFailed,
            "The object changed since the version named in If-Match; read it again and retry.");
}
