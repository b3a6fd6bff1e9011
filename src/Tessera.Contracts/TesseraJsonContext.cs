using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>Source-generated JSON metadata for every wire shape, shared by server and client.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcInstantJsonConverter)])]
[JsonSerializable(typeof(AccountResponse))]
[JsonSerializable(typeof(LicenseKeyResponse))]
[JsonSerializable(typeof(CreatedLicenseKeyResponse))]
[JsonSerializable(typeof(CreateLicenseKeyRequest))]
[JsonSerializable(typeof(ItemsResponse<LicenseKeyResponse>))]
[JsonSerializable(typeof(WorkloadResponse))]
[JsonSerializable(typeof(CreateWorkloadRequest))]
[JsonSerializable(typeof(UpdateWorkloadRequest))]
[JsonSerializable(typeof(PageResponse<WorkloadResponse>))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(CreatedTokenResponse))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(CreateWorkloadTokenRequest))]
[JsonSerializable(typeof(UpdateTokenRequest))]
[JsonSerializable(typeof(PageResponse<TokenResponse>))]
[JsonSerializable(typeof(HandshakeResponse))]
[JsonSerializable(typeof(ProblemResponse))]
[JsonSerializable(typeof(PageResponse<AuditEntryResponse>))]
[JsonSerializable(typeof(LeakReportRequest))]
[JsonSerializable(typeof(LeakReportResponse))]
[JsonSerializable(typeof(List<GitHubLeakVerdict>))]
[JsonSerializable(typeof(AuditEntryResponse))]
[JsonSerializable(typeof(ItemsResponse<UsageBucketResponse>))]
[JsonSerializable(typeof(List<ImportedRowResponse>))]
[JsonSerializable(typeof(List<ImportRowError>))]
public sealed partial class TesseraJsonContext : JsonSerializerContext;
