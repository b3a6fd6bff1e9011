using Microsoft.Extensions.Options;
using Tessera.Core;
using Tessera.Core.Secrets;

namespace Tessera.Gateway;

/// <summary>Refuses to start on options that could only fail later (a missing URL or key, a zero trust window).</summary>
internal sealed class TesseraGatewayOptionsValidation : IValidateOptions<TesseraGatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, TesseraGatewayOptions options)
    {
        var failures = new List<string>();
        if (options.Url is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add("Tessera:Url must be Tessera's absolute http(s) URL.");
        }
        if (options.GatewayKey is null || !SecretFormat.IsWellFormed(options.GatewayKey, SecretKind.LicenseKey))
        {
            failures.Add("Tessera:GatewayKey must be a license key (tsl_…) holding the gateway scope.");
        }
        if (options.TrustWindow <= TimeSpan.Zero)
        {
            failures.Add("Tessera:TrustWindow must be positive.");
        }
        if (options.PollWait < TimeSpan.FromSeconds(1) || options.PollWait > TimeSpan.FromSeconds(30))
        {
            failures.Add("Tessera:PollWait must be from 1 to 30 seconds.");
        }
        if (options.UsageInterval <= TimeSpan.Zero || options.MaxRetryDelay <= TimeSpan.Zero)
        {
            failures.Add("Tessera:UsageInterval and Tessera:MaxRetryDelay must be positive.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static void ThrowIfNotWorkloadId(string workloadId, string parameter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workloadId, parameter);
        if (!workloadId.StartsWith(Ids.Workload, StringComparison.Ordinal))
        {
            throw new ArgumentException("Name the workload by its id (wl_…), not by its name.", parameter);
        }
    }
}
