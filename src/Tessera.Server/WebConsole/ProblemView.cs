namespace Tessera.Server.WebConsole;

/// <summary>What the console's error page shows.</summary>
public sealed record ProblemView(int Status, string Title, string Detail);
