namespace Tessera.Server.Http;

/// <summary>How a property of a Contracts request record is written on the wire, and so which <see cref="JsonFields"/> reader checks it.</summary>
public enum WireFieldKind
{
    Text,
    TextList,
    Boolean,
    Instant,
}
