using System.Text.Json.Serialization;

namespace Tessera.Server.Hosting;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
