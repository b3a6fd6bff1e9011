namespace Tessera.Cli;

/// <summary>What the process exit status means, for scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad command line or input (including values Tessera refused as invalid: 400, 422), or not logged in.</summary>
    public const int Usage = 1;

    /// <summary><c>tessera scan</c> found at least one secret (the value grep and gitleaks use for "found").</summary>
    public const int SecretsFound = 1;

    /// <summary>The token, workload or license key does not exist (in this account).</summary>
    public const int NotFound = 2;

    /// <summary>Tessera refused: bad license key (401), conflict (409), stale version (412), other 4xx.</summary>
    public const int Refused = 3;

    /// <summary>Tessera could not be reached, timed out, or failed (5xx).</summary>
    public const int Unreachable = 4;
}
