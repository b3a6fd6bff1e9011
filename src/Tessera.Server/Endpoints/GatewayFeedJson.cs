using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Tessera.Core.Gateway;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;

namespace Tessera.Server.Endpoints;

/// <summary>
/// Writes the feed's lines by hand, straight into the response pipe: a million snapshot lines must not each become an
/// object graph. The shapes are the ones Tessera.Contracts' <c>GatewayEntry</c> reads (a test reads them with it).
/// </summary>
internal static class GatewayFeedJson
{
    /// <summary>One NDJSON line: the object, then a newline written to <paramref name="output"/> itself.</summary>
    public static void WriteLine(Utf8JsonWriter writer, IBufferWriter<byte> output, GatewayToken token)
    {
        WriteTokenObject(writer, token);
        EndLine(writer, output);
    }

    /// <summary>The snapshot's last line, <c>{"position": N}</c>.</summary>
    public static void WritePositionLine(Utf8JsonWriter writer, IBufferWriter<byte> output, long position)
    {
        writer.WriteStartObject();
        writer.WriteNumber("position"u8, position);
        writer.WriteEndObject();
        EndLine(writer, output);
    }

    private static void EndLine(Utf8JsonWriter writer, IBufferWriter<byte> output)
    {
        writer.Flush();
        output.Write("\n"u8);
        // A fresh root for the next line: one writer would refuse a second root value.
        writer.Reset(output);
    }

    public static void WriteChanges(Utf8JsonWriter writer, GatewayChanges changes)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("changes");
        foreach (var change in changes.Changes)
        {
            if (change.Token is { } token)
            {
                WriteTokenObject(writer, token);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("tokenId", change.TokenId);
                writer.WriteBoolean("deleted", true);
                writer.WriteEndObject();
            }
        }
        writer.WriteEndArray();
        writer.WriteNumber("position", changes.Position);
        writer.WriteEndObject();
    }

    private static void WriteTokenObject(Utf8JsonWriter writer, GatewayToken token)
    {
        writer.WriteStartObject();
        Span<byte> hash = stackalloc byte[SecretHash.Length];
        token.Hash.CopyTo(hash);
        Span<byte> encoded = stackalloc byte[Base64Url.GetEncodedLength(SecretHash.Length)];
        Base64Url.EncodeToUtf8(hash, encoded);
        writer.WriteString("hash"u8, encoded);
        writer.WriteString("tokenId"u8, token.TokenId);
        if (token.WorkloadId is { } workload)
        {
            writer.WriteString("workloadId"u8, workload);
        }
        else
        {
            writer.WriteNull("workloadId"u8);
        }
        writer.WriteString("expiresAt"u8, token.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("status"u8, TokenNames.Of(token.Status));
        writer.WriteEndObject();
    }
}
