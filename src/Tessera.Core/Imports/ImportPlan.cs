namespace Tessera.Core.Imports;

/// <summary>
/// The outcome of validating every row: the first errors (at most <see cref="TokenImportService.MaxErrors"/>) and how many
/// there are (none means the import may run), and the rows as they will be created.
/// </summary>
public sealed record ImportPlan(IReadOnlyList<TokenImportError> Errors, int ErrorCount, IReadOnlyList<ValidImportRow> Rows, DateTimeOffset ValidatedAt)
{
    public bool IsValid => ErrorCount == 0;
}
