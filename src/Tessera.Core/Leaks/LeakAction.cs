namespace Tessera.Core.Leaks;

/// <summary>What the server does with a stored token reported as leaked (<c>Tessera:Leaks:Action</c>).</summary>
public enum LeakAction
{
    /// <summary>Cancel it at once and mark it leaked (the default).</summary>
    Cancel,

    /// <summary>Only mark it leaked and record the report; the provider decides.</summary>
    Report,
}
