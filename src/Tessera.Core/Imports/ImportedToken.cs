using Tessera.Core.Tokens;

namespace Tessera.Core.Imports;

/// <summary>A token an import created, with its secret: it exists only in the import's answer.</summary>
public sealed record ImportedToken(int Row, QueryToken Token, string Secret);
