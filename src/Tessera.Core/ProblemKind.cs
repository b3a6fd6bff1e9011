namespace Tessera.Core;

/// <summary>What kind of refusal a <see cref="TesseraException"/> is; each door maps it to its own status.</summary>
public enum ProblemKind
{
    BadRequest,
    Unauthorized,

    /// <summary>Authenticated, but the license key's scopes or workloads do not cover this (403).</summary>
    Forbidden,
    NotFound,
    Conflict,
    PreconditionFailed,
    Validation,
    Unavailable,

    /// <summary>What the request names is no longer kept (410): a gateway's feed position older than the feed.</summary>
    Gone,
}
