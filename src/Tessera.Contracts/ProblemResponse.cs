namespace Tessera.Contracts;

/// <summary>An error (RFC 9457 problem details) with Tessera's stable machine <c>code</c>.</summary>
public sealed record ProblemResponse
{
    /// <summary>A URI naming the problem type.</summary>
    public string? Type { get; init; }

    /// <summary>A short summary of the problem type.</summary>
    public string? Title { get; init; }

    /// <summary>The HTTP status.</summary>
    public int? Status { get; init; }

    /// <summary>What went wrong in this occurrence.</summary>
    public string? Detail { get; init; }

    /// <summary>The stable machine code, e.g. <c>token_cancelled</c> or <c>validation_failed</c>.</summary>
    public string? Code { get; init; }

    /// <summary>For validation problems: messages by field.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>The W3C trace id of the refused request, to find it in the server's logs.</summary>
    public string? TraceId { get; init; }
}
