using Tessera.Core;

namespace Tessera.Server.Abuse;

/// <summary>The configuration section "Tessera:Abuse": how many failures a client address may cause.</summary>
public sealed class AbuseSettings
{
    /// <summary>Failed query-side verifications (malformed, unknown, cancelled, expired, unassigned token).</summary>
    public FailureLimit QueryFailures { get; set; } = new() { PermitLimit = 60 };

    /// <summary>Failed management authentications (malformed, unknown or revoked license key).</summary>
    public FailureLimit LicenseFailures { get; set; } = new() { PermitLimit = 20 };

    /// <summary>
    /// Refused console passwords per member (issue 22), whatever the address: guesses spread over many addresses stop
    /// too. Over the limit, even the right password waits for the window.
    /// </summary>
    public FailureLimit MemberFailures { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(15) };

    public void Validate()
    {
        QueryFailures.Validate("QueryFailures");
        LicenseFailures.Validate("LicenseFailures");
        MemberFailures.Validate("MemberFailures");
    }

    public sealed class FailureLimit
    {
        /// <summary>Failures allowed per client address per window; 0 turns the limit off.</summary>
        public int PermitLimit { get; set; }

        public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

        internal void Validate(string name)
        {
            if (PermitLimit < 0)
            {
                throw new TesseraConfigurationException($"Tessera:Abuse:{name}:PermitLimit must be 0 (off) or more.");
            }
            if (Window < TimeSpan.FromSeconds(1))
            {
                throw new TesseraConfigurationException($"Tessera:Abuse:{name}:Window must be at least one second, e.g. 00:01:00.");
            }
        }
    }
}
