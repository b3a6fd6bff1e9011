namespace Tessera.Server.Leaks;

/// <summary>The outcome of checking a GitHub partner call's signature.</summary>
public enum SignatureCheck
{
    Valid,

    /// <summary>A header is absent or empty.</summary>
    Missing,

    /// <summary>Not base64, not DER, or not a signature of this body by the named key.</summary>
    Invalid,

    /// <summary>No published key has this identifier, even after a fetch (or a fetch was not allowed yet).</summary>
    UnknownKey,
}
