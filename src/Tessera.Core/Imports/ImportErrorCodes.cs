namespace Tessera.Core.Imports;

/// <summary>The <c>code</c> of a row error of <c>POST /v1/tokens/import</c> (API.md §10).</summary>
public static class ImportErrorCodes
{
    public const string Required = "required";
    public const string Invalid = "invalid";
    public const string Duplicate = "duplicate";
    public const string OutOfRange = "out_of_range";
    public const string WorkloadNotFound = "workload_not_found";
    public const string WorkloadNotAllowed = "workload_not_allowed";
}
