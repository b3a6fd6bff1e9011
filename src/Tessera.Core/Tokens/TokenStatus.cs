namespace Tessera.Core.Tokens;

/// <summary>What the provider set: a token is active unless it was cancelled.</summary>
public enum TokenStatus
{
    Active,
    Cancelled,
}
