using Tessera.Core;
using Tessera.Core.Gateway;
using Tessera.Core.Storage;
using Tessera.Core.Validation;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary>Reads the items of <c>POST /v1/gateway/usage</c>: every error of every item in one 422, named <c>items[i].field</c>.</summary>
internal static class GatewayUsageItems
{
    /// <summary>More uses than a gateway could verify in a second is a bug or a lie, not traffic.</summary>
    private const long MaxUses = 1_000_000_000;

    public static IReadOnlyList<TokenUsage> Read(IReadOnlyList<JsonFields> items)
    {
        var errors = new ValidationErrors();
        if (items.Count > GatewayService.MaxUsageItems)
        {
            errors.Add("items", $"At most {GatewayService.MaxUsageItems} items; send the rest in another report.");
            errors.ThrowIfAny();
        }
        var usages = new List<TokenUsage>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var field = $"items[{i}].";
            var tokenId = item.String("tokenId");
            var uses = item.Integer("uses");
            var lastUsedAt = item.String("lastUsedAt");
            try
            {
                item.Validate("tokenId", "uses", "lastUsedAt");
            }
            catch (TesseraException e) when (e.Errors is not null)
            {
                foreach (var (name, messages) in e.Errors)
                {
                    foreach (var message in messages)
                    {
                        errors.Add(field + name, message);
                    }
                }
                continue;
            }
            var ok = true;
            if (!Ids.IsWellFormed(Ids.Token, tokenId.Value))
            {
                errors.Add(field + "tokenId", "Required: a token id (tok_…).");
                ok = false;
            }
            if (uses.Value is not (>= 1 and <= MaxUses))
            {
                errors.Add(field + "uses", $"Required: a whole number from 1 to {MaxUses}.");
                ok = false;
            }
            if (!Instants.TryParse(lastUsedAt.Value, out var at))
            {
                errors.Add(field + "lastUsedAt", "Required: an RFC 3339 instant with an offset, e.g. 2026-12-01T00:00:00Z.");
                ok = false;
            }
            if (ok)
            {
                usages.Add(new TokenUsage(tokenId.Value!, uses.Value!.Value, at));
            }
        }
        errors.ThrowIfAny();
        return usages;
    }
}
