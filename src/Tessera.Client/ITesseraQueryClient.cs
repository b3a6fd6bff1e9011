using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>The query side as an interface, so code that uses it can be tested with a fake; <see cref="TesseraQueryClient"/> is the implementation.</summary>
public interface ITesseraQueryClient : IDisposable
{
    /// <inheritdoc cref="TesseraQueryClient.HandshakeAsync(CancellationToken)"/>
    Task<HandshakeResponse> HandshakeAsync(CancellationToken cancellationToken = default);
}
