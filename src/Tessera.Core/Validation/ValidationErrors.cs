namespace Tessera.Core.Validation;

/// <summary>Collects every field error of a request so the caller learns them all at once.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    /// <summary>The first error of <paramref name="field"/>, or null (a row of a bulk import reports one per field).</summary>
    public string? First(string field) => _errors.TryGetValue(field, out var list) ? list[0] : null;

    public void ThrowIfAny(string code = ErrorCodes.ValidationFailed, ProblemKind kind = ProblemKind.Validation)
    {
        if (Any)
        {
            throw new TesseraException(kind, code,
                kind == ProblemKind.Validation ? Refusals.InvalidFields : Refusals.InvalidParameters,
                _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}
