namespace Tessera.Client;

// Extensible enums (the Azure SDK's pattern): the values this SDK version knows as static properties, and any other string the
// server may answer with tomorrow still representable. A string converts implicitly, so filter.State = "usable" keeps compiling,
// and token.State == TokenState.Usable compares a response's string with a known value.

/// <summary>A token's status as stored (<c>GET /v1/tokens?status=</c>, <c>TokenResponse.Status</c>).</summary>
/// <param name="Value">The value on the wire.</param>
public readonly record struct TokenStatus(string Value)
{
    /// <summary>Not cancelled (it may still be expired or unassigned).</summary>
    public static TokenStatus Active { get; } = new("active");

    /// <summary>Cancelled: refused until reactivated.</summary>
    public static TokenStatus Cancelled { get; } = new("cancelled");

    /// <summary>The value as the API writes it.</summary>
    /// <param name="value">A status, e.g. <c>active</c>.</param>
    public static implicit operator TokenStatus(string value) => new(value);

    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>What a token can do now (<c>GET /v1/tokens?state=</c>, <c>TokenResponse.State</c>), derived from status, expiry and workload.</summary>
/// <param name="Value">The value on the wire.</param>
public readonly record struct TokenState(string Value)
{
    /// <summary>Active, unexpired and assigned: it passes at its workload.</summary>
    public static TokenState Usable { get; } = new("usable");

    /// <summary>Usable, and expiring within the first warning threshold (a filter only; such tokens answer <see cref="Usable"/>).</summary>
    public static TokenState Expiring { get; } = new("expiring");

    /// <summary>Active and unexpired but bound to no workload.</summary>
    public static TokenState Unassigned { get; } = new("unassigned");

    /// <summary>Past its expiry.</summary>
    public static TokenState Expired { get; } = new("expired");

    /// <summary>Cancelled.</summary>
    public static TokenState Cancelled { get; } = new("cancelled");

    /// <summary>The value as the API writes it.</summary>
    /// <param name="value">A state, e.g. <c>usable</c>.</param>
    public static implicit operator TokenState(string value) => new(value);

    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>The order of a token list (<c>GET /v1/tokens?sort=</c>).</summary>
/// <param name="Value">The value on the wire.</param>
public readonly record struct TokenSort(string Value)
{
    /// <summary>Newest first (the default).</summary>
    public static TokenSort CreatedAt { get; } = new("createdAt");

    /// <summary>Soonest expiry first.</summary>
    public static TokenSort ExpiresAt { get; } = new("expiresAt");

    /// <summary>By name, case-insensitively.</summary>
    public static TokenSort Name { get; } = new("name");

    /// <summary>Most recently used first; never-used tokens last.</summary>
    public static TokenSort LastUsedAt { get; } = new("lastUsedAt");

    /// <summary>The value as the API writes it.</summary>
    /// <param name="value">A sort, e.g. <c>name</c>.</param>
    public static implicit operator TokenSort(string value) => new(value);

    /// <inheritdoc/>
    public override string ToString() => Value;
}
