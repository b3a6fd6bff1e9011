namespace Tessera.Core.Leaks;

/// <summary>What the server does with a reported token (<c>Tessera:Leaks:Action</c>), for the use case.</summary>
public sealed record LeakOptions(LeakAction Action);
