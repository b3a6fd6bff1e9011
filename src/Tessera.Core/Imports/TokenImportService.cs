using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Validation;
using Tessera.Core.Workloads;

namespace Tessera.Core.Imports;

/// <summary>
/// Bulk import of tokens (API.md §10, ADR 0017): every row is checked before anything is created; then the tokens
/// are created in batches of <see cref="BatchSize"/>, each one transaction with its audit entries, and handed to the
/// caller as each batch commits (the secrets exist only there). The first batch claims the Idempotency-Key in its
/// own transaction, so two requests with one key cannot both create tokens.
/// </summary>
public sealed class TokenImportService(ITokenImportStore store, WorkloadService workloads, ITokenChangeListener changes, TimeProvider time,
    TokenPolicy policy, TokenMetrics metrics)
{
    public const int MaxRows = 100_000;
    public const int BatchSize = 1_000;

    /// <summary>The most row errors one answer lists (the count says how many there are in all).</summary>
    public const int MaxErrors = 1_000;

    /// <summary>Idempotency-Key: 1 to 200 visible ASCII characters (what clients send: UUIDs, file hashes, names).</summary>
    public const int MaxKeyLength = 200;

    public static bool IsWellFormedKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => c is > ' ' and <= '~');

    /// <summary>The import already made under this key in the caller's account, or null.</summary>
    public Task<TokenImport?> FindAsync(Caller caller, string idempotencyKey, CancellationToken cancellationToken) =>
        store.FindAsync(caller.AccountId, idempotencyKey, cancellationToken);

    public Task<IReadOnlyList<ImportedRow>> RowsAsync(TokenImport import, CancellationToken cancellationToken) =>
        store.RowsAsync(import.Id, cancellationToken);

    /// <summary>Checks every row (all errors at once, up to <see cref="MaxErrors"/> listed); creates nothing.</summary>
    public async Task<ImportPlan> ValidateAsync(Caller caller, IReadOnlyList<TokenImportRow> rows, CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        var visible = await workloads.NamesAsync(caller, cancellationToken);
        var errors = new List<TokenImportError>();
        var errorCount = 0;
        var valid = new List<ValidImportRow>(rows.Count);
        var names = new Dictionary<string, int>(rows.Count, StringComparer.Ordinal);
        void Fail(int row, string field, string code, string message)
        {
            if (errorCount++ < MaxErrors)
            {
                errors.Add(new TokenImportError(row, field, code, message));
            }
        }
        foreach (var row in rows)
        {
            var before = errorCount;
            var name = Text(row, "name", row.Name, isName: true, Fail);
            var note = Text(row, "note", row.Note, isName: false, Fail);
            if (name is not null)
            {
                // Two rows of one file with one name are almost always a mistake of the sheet (one student twice); tokens
                // already in the account may share a name, as through POST /v1/tokens.
                if (names.TryGetValue(name.ToLowerInvariant(), out var first))
                {
                    Fail(row.Row, "name", ImportErrorCodes.Duplicate, $"The same name as row {first}.");
                }
                else
                {
                    names.Add(name.ToLowerInvariant(), row.Row);
                }
            }
            var workloadId = string.IsNullOrWhiteSpace(row.WorkloadId) ? null : row.WorkloadId.Trim();
            if (workloadId is not null && !visible.ContainsKey(workloadId))
            {
                Fail(row.Row, "workloadId", ImportErrorCodes.WorkloadNotFound, Refusals.NoSuch("workload"));
            }
            else if (!caller.Sees(workloadId))
            {
                Fail(row.Row, "workloadId", ImportErrorCodes.WorkloadNotAllowed, "This license key is bound to workloads; its tokens cannot be unassigned.");
            }
            DateTimeOffset? expiresAt = null;
            if (!string.IsNullOrWhiteSpace(row.ExpiresAt))
            {
                if (!Instants.TryParse(row.ExpiresAt.Trim(), out var at))
                {
                    Fail(row.Row, "expiresAt", ImportErrorCodes.Invalid, "Must be an RFC 3339 instant with an offset, e.g. 2026-12-01T12:00:00Z.");
                }
                else if (at <= now || at > now + policy.Lifetime)
                {
                    Fail(row.Row, "expiresAt", ImportErrorCodes.OutOfRange, $"Must be after now and at most {policy.Lifetime} from now.");
                }
                else
                {
                    expiresAt = at;
                }
            }
            if (errorCount == before)
            {
                valid.Add(new ValidImportRow(row.Row, name!, note!, workloadId, expiresAt));
            }
        }
        return new ImportPlan(errors, errorCount, valid, now);
    }

    /// <summary>
    /// Creates the plan's tokens batch by batch and hands each committed batch to <paramref name="committed"/>. Throws
    /// 409 import_already_done when the key is taken by the time the first batch commits (nothing of this import is kept),
    /// 422 when a workload was deleted meanwhile (the batches before stay: whole batches only).
    /// </summary>
    public async Task RunAsync(Caller caller, string idempotencyKey, ImportPlan plan,
        Func<IReadOnlyList<ImportedToken>, CancellationToken, Task> committed, CancellationToken cancellationToken)
    {
        if (!plan.IsValid)
        {
            throw new InvalidOperationException("An import runs only once every row is valid.");
        }
        var import = new TokenImport(Ids.New(ImportIdPrefix, Instants.Now(time)), caller.AccountId, idempotencyKey, Instants.Now(time), plan.Rows.Count);
        for (var start = 0; start < plan.Rows.Count; start += BatchSize)
        {
            var now = Instants.Now(time);
            var batch = new List<ImportedToken>(Math.Min(BatchSize, plan.Rows.Count - start));
            foreach (var row in plan.Rows.Skip(start).Take(BatchSize))
            {
                var secret = SecretFormat.Generate(SecretKind.QueryToken);
                // An expiry checked at validation that has since passed by a few seconds still stands: the file asked for it.
                var token = QueryToken.Issue(caller.AccountId, row.Name, row.Note, row.WorkloadId, secret, now, policy.Lifetime, row.ExpiresAt);
                batch.Add(new ImportedToken(row.Row, token, secret));
            }
            AuditEntry[] audit = [.. batch.Select(b => TokenAudit.Created(caller, b.Token))];
            var result = await store.InsertBatchAsync(import, claim: start == 0, [.. batch.Select(b => (b.Row, b.Token))], audit, cancellationToken);
            switch (result)
            {
                case SaveResult.KeyTaken:
                    throw AlreadyDone();
                case SaveResult.WorkloadMissing:
                    throw TesseraException.Invalid("workloadId", "A workload of this file was deleted while it was imported; the rows before it were created.");
            }
            metrics.Committed(audit);
            foreach (var b in batch)
            {
                changes.TokenChanged(b.Token.Hash);
            }
            await committed(batch, cancellationToken);
        }
    }

    public static TesseraException AlreadyDone() =>
        new(ProblemKind.Conflict, ErrorCodes.ImportAlreadyDone,
            "An import with this Idempotency-Key was already made; its tokens' ids are listed, never their secrets again.");

    private const string ImportIdPrefix = "imp_";

    private static string? Text(TokenImportRow row, string field, string? value, bool isName, Action<int, string, string, string> fail)
    {
        var errors = new ValidationErrors();
        var text = isName ? TextRules.Name(value, field, errors) : TextRules.FreeText(value, field, errors);
        if (errors.First(field) is { } message)
        {
            fail(row.Row, field, isName && string.IsNullOrWhiteSpace(value) ? ImportErrorCodes.Required : ImportErrorCodes.Invalid, message);
        }
        return text;
    }
}
