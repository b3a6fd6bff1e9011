using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// The creation stepper: details → Generate → the value, once → Review → Done (or Delete). The value
/// exists only in the response to Generate; nothing that comes after (review, reload, back) shows it.
/// </summary>
[RequiredScope(Scopes.TokensWrite)]
public sealed class NewTokenModel(TokenService tokens, WorkloadService workloads, TokenDrafts drafts, TimeProvider time) : ConsolePageModel(time)
{
    public enum Steps
    {
        Details,
        Reveal,
        Review,
    }

    [BindProperty(SupportsGet = true, Name = "workloadId")]
    public string? WorkloadId { get; set; }

    [BindProperty(SupportsGet = true, Name = "returnUrl")]
    public string? ReturnUrl { get; set; }

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "note")]
    public string? Note { get; set; }

    [BindProperty(Name = "draft")]
    public string? Draft { get; set; }

    public Steps Step { get; private set; }

    public IReadOnlyList<Workload> Workloads { get; private set; } = [];

    public QueryToken? Token { get; private set; }

    public string? WorkloadName { get; private set; }

    /// <summary>The token value: set only while rendering the answer to Generate.</summary>
    public string? Secret { get; private set; }

    public string LifetimeText => ConsoleHtml.Span(tokens.Lifetime);

    public string CancelUrl => LocalOr(ReturnUrl, "/tokens");

    public string ReviewUrl => QueryHelpers.AddQueryString("/tokens/new", new Dictionary<string, string?>
    {
        ["review"] = Token!.Id,
        ["returnUrl"] = LocalOr(ReturnUrl, "/tokens"),
    });

    public async Task OnGetAsync([FromQuery] string? review, [FromQuery] string? deleted, CancellationToken cancellationToken)
    {
        if (review is not null)
        {
            await ShowReviewAsync(review, cancellationToken);
            return;
        }
        Notice = deleted is null ? null : "The token was deleted; nothing of it is kept. Enter the right details and generate a new one.";
        Draft = TokenDrafts.NewDraftId();
        await LoadChoicesAsync(cancellationToken);
    }

    [RequiredScope(Scopes.TokensWrite)]
    public async Task<IActionResult> OnPostGenerateAsync(CancellationToken cancellationToken)
    {
        if (!TokenDrafts.IsWellFormed(Draft))
        {
            Draft = TokenDrafts.NewDraftId();
        }
        if (drafts.IssuedFor(Caller.AccountId, Draft!) is { } alreadyIssued)
        {
            // A resubmitted form: the token exists and its value was shown once already.
            return Redirect(QueryHelpers.AddQueryString("/tokens/new", new Dictionary<string, string?> { ["review"] = alreadyIssued, ["returnUrl"] = CancelUrl }));
        }
        try
        {
            var issued = await tokens.IssueAsync(Caller, Name, string.IsNullOrEmpty(WorkloadId) ? null : WorkloadId, Note, cancellationToken);
            drafts.Remember(Caller.AccountId, Draft!, issued.Token.Id);
            Step = Steps.Reveal;
            Token = issued.Token;
            Secret = issued.Secret;
            return Page();
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.Validation)
        {
            Show(e);
            await LoadChoicesAsync(cancellationToken);
            return Page();
        }
    }

    [RequiredScope(Scopes.TokensWrite)]
    public async Task<IActionResult> OnPostDeleteAsync([FromForm] string? tokenId, [FromForm] string? confirmed, CancellationToken cancellationToken)
    {
        if (confirmed != "yes")
        {
            // Deleting cannot be undone: the first press asks, as the token page does (issue 21).
            await ShowReviewAsync(tokenId ?? "", cancellationToken);
            ConfirmingDelete = true;
            return Page();
        }
        var token = await tokens.GetAsync(Caller, tokenId ?? "", cancellationToken);
        await tokens.DeleteAsync(Caller, token.Id, null, cancellationToken);
        return Redirect(QueryHelpers.AddQueryString("/tokens/new", new Dictionary<string, string?>
        {
            ["deleted"] = "1",
            ["workloadId"] = token.WorkloadId,
            ["returnUrl"] = CancelUrl,
        }));
    }

    /// <summary>The Review step after a first press of Delete: it asks before deleting.</summary>
    public bool ConfirmingDelete { get; private set; }

    private async Task ShowReviewAsync(string tokenId, CancellationToken cancellationToken)
    {
        Step = Steps.Review;
        Token = await tokens.GetAsync(Caller, tokenId, cancellationToken);
        WorkloadName = Token.WorkloadId is { } id ? (await workloads.GetAsync(Caller, id, cancellationToken)).Workload.Name : null;
    }

    private async Task LoadChoicesAsync(CancellationToken cancellationToken) =>
        Workloads = await WorkloadChoices.AllAsync(workloads, Caller, cancellationToken);
}
