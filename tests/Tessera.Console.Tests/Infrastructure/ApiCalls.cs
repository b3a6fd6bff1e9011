using System.Net;
using System.Text;
using System.Text.Json;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>The few raw API calls console tests make to set up data or to check the query side.</summary>
public static class ApiCalls
{
    public static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    /// <summary>POSTs <paramref name="json"/>, expects 201 and returns the created object's id.</summary>
    public static async Task<string> CreateAsync(this HttpClient api, string path, string json)
    {
        var response = await api.PostAsync(path, Json(json));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>The problem's <c>code</c>.</summary>
    public static async Task<string?> CodeAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    /// <summary>POST /v1/handshake with the query token <paramref name="secret"/>.</summary>
    public static Task<HttpResponseMessage> HandshakeAsync(this ConsoleServer server, string secret) =>
        server.Http(secret).PostAsync("/v1/handshake", null);
}
