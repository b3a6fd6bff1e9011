namespace Tessera.Core;

/// <summary>What kind of refusal a <see cref="TesseraException"/> is; each door maps it to its own status.</summary>
public enum ProblemKind
{
    BadRequest,
    Unauthorized,
    NotFound,
    Conflict,
    PreconditionFailed,
    Validation,
    Unavailable,
}
