using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Testing;

namespace Tessera.Server.Tests;

/// <summary>
/// A real gateway: nginx (the Debian package) runs examples/nginx/tessera-gateway.conf, with only its
/// addresses changed, in front of a stub "model" endpoint, asking a real Tessera server process through
/// auth_request. A usable token reaches the model, which sees X-Tessera-Workload-Id; a missing,
/// unknown, cancelled or expired one gets 401 with the reason and the model is never called.
/// </summary>
public sealed partial class GatewayTests(GatewayTests.Gateway gateway) : IClassFixture<GatewayTests.Gateway>
{
    [Fact]
    public async Task A_usable_token_reaches_the_model_which_sees_the_workload_and_token_ids_and_not_the_secret()
    {
        var (workload, token) = await gateway.UsableTokenAsync();
        using var client = gateway.ClientWith(token.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("{\"prompt\":\"hi\"}") };
        request.Headers.TryAddWithoutValidation("X-Tessera-Workload-Id", "wl_spoofed");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("model says hello", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(gateway.ModelCalls, c => c.TokenId == token.Id);
        Assert.Equal(workload.Id, seen.WorkloadId);
        Assert.Equal("/v1/chat/completions", seen.Path);
        Assert.Equal("{\"prompt\":\"hi\"}", seen.Body);
        Assert.Null(seen.Authorization);
    }

    [Fact]
    public async Task A_missing_malformed_or_unknown_token_gets_401_with_the_reason_and_never_reaches_the_model()
    {
        await AssertRefusedAsync(null, "token_missing");
        await AssertRefusedAsync("tsq_not-a-token", "token_malformed");
        await AssertRefusedAsync(SecretFormat.Generate(SecretKind.QueryToken), "token_unknown");
    }

    [Fact]
    public async Task A_cancelled_token_works_through_the_gateway_then_gets_401_token_cancelled()
    {
        var (_, token) = await gateway.UsableTokenAsync();
        using var client = gateway.ClientWith(token.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);

        await gateway.Manager.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled" }).EnsureAsync(HttpStatusCode.OK);

        await AssertRefusedAsync(token.Token, "token_cancelled");
    }

    [Fact]
    public async Task An_expired_token_works_through_the_gateway_until_it_expires_then_gets_401_token_expired()
    {
        var (_, token) = await gateway.UsableTokenAsync();
        var expiresAt = TimeProvider.System.GetUtcNow().AddMilliseconds(800);
        await gateway.Manager.PatchJsonAsync($"/v1/tokens/{token.Id}", new { expiresAt }).EnsureAsync(HttpStatusCode.OK);
        using var client = gateway.ClientWith(token.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);

        var left = expiresAt.AddMilliseconds(50) - TimeProvider.System.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }

        await AssertRefusedAsync(token.Token, "token_expired");
    }

    private async Task AssertRefusedAsync(string? secret, string code)
    {
        var before = gateway.ModelCalls.Count;
        using var client = gateway.ClientWith(secret);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("{}"));

        await response.ProblemAsync(HttpStatusCode.Unauthorized, code);
        Assert.Equal(code, response.Headers.GetValues("X-Tessera-Error").Single());
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(before, gateway.ModelCalls.Count);
    }

    /// <summary>One request as the model saw it.</summary>
    public sealed record ModelCall(string Path, string? TokenId, string? WorkloadId, string? Authorization, string Body);

    /// <summary>The stub model, a Tessera server process and nginx between them, shared by the class's tests.</summary>
    public sealed partial class Gateway : IAsyncLifetime
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("tessera-nginx-").FullName;
        private readonly string _bootstrapKey = SecretFormat.Generate(SecretKind.LicenseKey);
        private WebApplication? _model;
        private ServerProcess? _tessera;
        private Process? _nginx;
        private Uri _address = null!;

        public ConcurrentQueue<ModelCall> ModelCalls { get; } = new();

        public HttpClient Manager { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
            if (nginx is null)
            {
                return; // the tests skip (or fail under CI=true) in their constructor
            }
            var modelPort = await StartModelAsync();
            _tessera = await ServerProcess.StartAsync(_directory, new Dictionary<string, string>
            {
                ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(_directory, "tessera.db")}",
                ["Tessera__Bootstrap__LicenseKey"] = _bootstrapKey,
            });
            Manager = new HttpClient { BaseAddress = _tessera.BaseAddress };
            Manager.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _bootstrapKey);
            var port = FreePort();
            _address = new Uri($"http://127.0.0.1:{port}");
            await File.WriteAllTextAsync(Path.Combine(_directory, "nginx.conf"), MainConfig(port, _tessera.BaseAddress.Port, modelPort));
            var start = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-p", _directory, "-c", Path.Combine(_directory, "nginx.conf"), "-e", Path.Combine(_directory, "error.log") })
            {
                start.ArgumentList.Add(arg);
            }
            _nginx = Process.Start(start)!;
            await WaitUntilListeningAsync(port);
        }

        public HttpClient ClientWith(string? secret)
        {
            Require();
            var client = new HttpClient { BaseAddress = _address };
            if (secret is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            }
            return client;
        }

        public async Task<(WorkloadResponse Workload, CreatedTokenResponse Token)> UsableTokenAsync()
        {
            Require();
            var workload = await (await Manager.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest($"model-{Guid.NewGuid():N}", null)))
                .ReadAsync<WorkloadResponse>(HttpStatusCode.Created);
            var token = await (await Manager.PostJsonAsync("/v1/tokens", new CreateTokenRequest("alice", workload.Id, null)))
                .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
            return (workload, token);
        }

        public async ValueTask DisposeAsync()
        {
            if (_nginx is not null)
            {
                _nginx.Kill(entireProcessTree: true);
                await _nginx.WaitForExitAsync();
                _nginx.Dispose();
            }
            Manager?.Dispose();
            if (_tessera is not null)
            {
                await _tessera.DisposeAsync();
            }
            if (_model is not null)
            {
                await _model.DisposeAsync();
            }
            Directory.Delete(_directory, recursive: true);
        }

        private void Require()
        {
            if (_nginx is not null)
            {
                return;
            }
            if (TestPostgres.InCi)
            {
                throw new InvalidOperationException("CI=true and nginx is not installed (scripts/test.sh installs nginx-light).");
            }
            Assert.Skip("nginx is not installed: apt-get install nginx-light, or run scripts/test.sh as root.");
        }

        /// <summary>The shipped configuration with this test's addresses, inside a minimal nginx.conf of its own.</summary>
        private string MainConfig(int port, int tesseraPort, int modelPort)
        {
            var shipped = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "nginx", "tessera-gateway.conf"));
            shipped = TesseraUpstream().Replace(shipped, $"upstream tessera {{\n    server 127.0.0.1:{tesseraPort};");
            shipped = ModelUpstream().Replace(shipped, $"upstream model {{\n    server 127.0.0.1:{modelPort};");
            shipped = Listen().Replace(shipped, $"listen 127.0.0.1:{port};");
            File.WriteAllText(Path.Combine(_directory, "tessera-gateway.conf"), shipped);
            return $$"""
                daemon off;
                master_process off;
                worker_processes 1;
                pid {{_directory}}/nginx.pid;
                error_log {{_directory}}/error.log warn;
                events { worker_connections 256; }
                http {
                    access_log off;
                    client_body_temp_path {{_directory}}/client_body;
                    proxy_temp_path {{_directory}}/proxy;
                    fastcgi_temp_path {{_directory}}/fastcgi;
                    uwsgi_temp_path {{_directory}}/uwsgi;
                    scgi_temp_path {{_directory}}/scgi;
                    include {{_directory}}/tessera-gateway.conf;
                }
                """;
        }

        private async Task<int> StartModelAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            var port = FreePort();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            _model = builder.Build();
            _model.Run(async context =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var headers = context.Request.Headers;
                ModelCalls.Enqueue(new ModelCall(context.Request.Path.Value ?? "", Header(headers, "X-Tessera-Token-Id"), Header(headers, "X-Tessera-Workload-Id"),
                    Header(headers, "Authorization"), await reader.ReadToEndAsync()));
                await context.Response.WriteAsync("model says hello");
            });
            await _model.StartAsync();
            return port;
        }

        private static string? Header(IHeaderDictionary headers, string name) =>
            headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

        private async Task WaitUntilListeningAsync(int port)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(30) && !_nginx!.HasExited)
                {
                    await Task.Delay(50);
                }
                catch (SocketException)
                {
                    throw new InvalidOperationException($"nginx did not start: {await _nginx!.StandardError.ReadToEndAsync()} {ReadErrorLog()}");
                }
            }
        }

        private string ReadErrorLog() => File.Exists(Path.Combine(_directory, "error.log")) ? File.ReadAllText(Path.Combine(_directory, "error.log")) : "";

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        [GeneratedRegex(@"upstream tessera \{(\n\s*server [^\n]*;)+")]
        private static partial Regex TesseraUpstream();

        [GeneratedRegex(@"upstream model \{(\n\s*server [^\n]*;)+")]
        private static partial Regex ModelUpstream();

        [GeneratedRegex(@"listen 8080;")]
        private static partial Regex Listen();
    }
}
