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

namespace Tessera.Server.Tests;

/// <summary>
/// Real gateways: nginx runs examples/nginx/tessera-gateway.conf and Caddy runs examples/caddy/Caddyfile (the
/// Debian packages), with only their addresses and the guarded workload's id changed, in front of a stub
/// "model" endpoint, asking a real Tessera server process. A usable token of the guarded workload reaches the
/// model, which sees X-Tessera-Workload-Id; a missing, unknown, cancelled or expired one gets 401 with the
/// reason, a token of another workload (this account's or another account's) gets 403, and the model is never called.
/// </summary>
public sealed partial class GatewayTests(GatewayTests.Gateway gateway) : IClassFixture<GatewayTests.Gateway>
{
    public static TheoryData<string> Gateways => ["nginx", "caddy"];

    [Theory]
    [MemberData(nameof(Gateways))]
    public async Task A_usable_token_of_the_guarded_workload_reaches_the_model_which_sees_the_workload_and_token_ids_and_not_the_secret(string kind)
    {
        var token = await gateway.UsableTokenAsync();
        using var client = gateway.ClientWith(kind, token.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("{\"prompt\":\"hi\"}") };
        request.Headers.TryAddWithoutValidation("X-Tessera-Workload-Id", "wl_spoofed");
        request.Headers.TryAddWithoutValidation("X-Tessera-Token-Id", "tok_spoofed");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("model says hello", await response.Content.ReadAsStringAsync());
        var seen = Assert.Single(gateway.ModelCalls, c => c.TokenId == token.Id && c.Gateway == kind);
        Assert.Equal(gateway.Guarded.Id, seen.WorkloadId);
        Assert.Equal("/v1/chat/completions", seen.Path);
        Assert.Equal("{\"prompt\":\"hi\"}", seen.Body);
        Assert.Null(seen.Authorization);
        Assert.DoesNotContain(gateway.ModelCalls, c => c.TokenId == "tok_spoofed" || c.WorkloadId == "wl_spoofed");
    }

    [Theory]
    [MemberData(nameof(Gateways))]
    public async Task A_usable_token_of_another_workload_of_the_same_account_gets_403_and_never_reaches_the_model(string kind)
    {
        var token = await gateway.TokenOfAsync(gateway.Manager, gateway.Neighbour.Id);
        // Usable where it belongs: the refusal below is about the door, not the token.
        await gateway.AskTesseraAsync(gateway.Neighbour.Id, token.Token).EnsureAsync(HttpStatusCode.NoContent);

        await AssertWrongWorkloadAsync(kind, token.Token);
    }

    [Theory]
    [MemberData(nameof(Gateways))]
    public async Task A_usable_token_of_another_accounts_workload_gets_403_and_never_reaches_the_model(string kind)
    {
        var token = await gateway.TokenOfAsync(gateway.Stranger, gateway.StrangersWorkload.Id);
        await gateway.AskTesseraAsync(gateway.StrangersWorkload.Id, token.Token).EnsureAsync(HttpStatusCode.NoContent);

        await AssertWrongWorkloadAsync(kind, token.Token);
    }

    [Theory]
    [MemberData(nameof(Gateways))]
    public async Task A_missing_malformed_or_unknown_token_gets_401_with_the_reason_and_never_reaches_the_model(string kind)
    {
        await AssertRefusedAsync(kind, null, "token_missing");
        await AssertRefusedAsync(kind, "tsq_not-a-token", "token_malformed");
        await AssertRefusedAsync(kind, SecretFormat.Generate(SecretKind.QueryToken), "token_unknown");
    }

    [Theory]
    [MemberData(nameof(Gateways))]
    public async Task A_cancelled_token_works_through_the_gateway_then_gets_401_token_cancelled(string kind)
    {
        var token = await gateway.UsableTokenAsync();
        using var client = gateway.ClientWith(kind, token.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);

        await gateway.Manager.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled" }).EnsureAsync(HttpStatusCode.OK);

        await AssertRefusedAsync(kind, token.Token, "token_cancelled");
    }

    [Theory]
    [MemberData(nameof(Gateways))]
    public async Task An_expired_token_works_through_the_gateway_until_it_expires_then_gets_401_token_expired(string kind)
    {
        var token = await gateway.UsableTokenAsync();
        // Far enough ahead that a loaded machine still sets it in the future and passes one request before it.
        var expiresAt = TimeProvider.System.GetUtcNow().AddSeconds(3);
        await gateway.Manager.PatchJsonAsync($"/v1/tokens/{token.Id}", new { expiresAt }).EnsureAsync(HttpStatusCode.OK);
        using var client = gateway.ClientWith(kind, token.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/models")).StatusCode);

        var left = expiresAt.AddMilliseconds(50) - TimeProvider.System.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }

        await AssertRefusedAsync(kind, token.Token, "token_expired");
    }

    private async Task AssertRefusedAsync(string kind, string? secret, string code)
    {
        var before = gateway.ModelCalls.Count;
        using var client = gateway.ClientWith(kind, secret);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("{}"));

        await response.ProblemAsync(HttpStatusCode.Unauthorized, code);
        Assert.Equal(code, response.Headers.GetValues("X-Tessera-Error").Single());
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(before, gateway.ModelCalls.Count);
    }

    private async Task AssertWrongWorkloadAsync(string kind, string secret)
    {
        var before = gateway.ModelCalls.Count;
        using var client = gateway.ClientWith(kind, secret);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("{}"));

        await response.ProblemAsync(HttpStatusCode.Forbidden, "token_wrong_workload");
        Assert.Equal("token_wrong_workload", response.Headers.GetValues("X-Tessera-Error").Single());
        Assert.Equal("Bearer error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(before, gateway.ModelCalls.Count);
    }

    /// <summary>One request as the model saw it, and which gateway passed it.</summary>
    public sealed record ModelCall(string Gateway, string Path, string? TokenId, string? WorkloadId, string? Authorization, string Body);

    /// <summary>
    /// The stub model, a Tessera server process, and nginx and Caddy each between them, shared by the class's
    /// tests. Tessera's account guards one workload; the account has another workload, and a second account
    /// (made with the server's own 'accounts create') has one of its own.
    /// </summary>
    public sealed partial class Gateway : IAsyncLifetime
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("tessera-gateways-").FullName;
        private readonly string _bootstrapKey = SecretFormat.Generate(SecretKind.LicenseKey);
        private readonly Dictionary<string, Uri> _addresses = [];
        private readonly List<Process> _gateways = [];
        private WebApplication? _model;
        private ServerProcess? _tessera;
        private string? _missing;

        public ConcurrentQueue<ModelCall> ModelCalls { get; } = new();

        public HttpClient Manager { get; private set; } = null!;

        public HttpClient Stranger { get; private set; } = null!;

        /// <summary>Tessera itself, for the query side without a gateway.</summary>
        public HttpClient Tessera { get; private set; } = null!;

        public WorkloadResponse Guarded { get; private set; } = null!;

        public WorkloadResponse Neighbour { get; private set; } = null!;

        public WorkloadResponse StrangersWorkload { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var nginx = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
            var caddy = new[] { "/usr/bin/caddy", "/usr/local/bin/caddy" }.FirstOrDefault(File.Exists);
            if (nginx is null || caddy is null)
            {
                _missing = nginx is null ? "nginx" : "caddy";
                return; // the tests skip (or fail under CI=true) in Require
            }
            var modelPort = await StartModelAsync();
            var environment = new Dictionary<string, string>
            {
                ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(_directory, "tessera.db")}",
                ["Tessera__Bootstrap__LicenseKey"] = _bootstrapKey,
            };
            _tessera = await ServerProcess.StartAsync(_directory, environment);
            Manager = ClientFor(_tessera.BaseAddress, _bootstrapKey);
            Tessera = new HttpClient { BaseAddress = _tessera.BaseAddress };
            var (exit, stdout, stderr) = await ServerProcess.RunCommandAsync(_directory, environment, "accounts", "create", "--name", "Stranger AI");
            Assert.True(exit == 0, stderr);
            Stranger = ClientFor(_tessera.BaseAddress, stdout.Trim().Split('\n')[^1].Trim());
            Guarded = await CreateWorkloadAsync(Manager);
            Neighbour = await CreateWorkloadAsync(Manager);
            StrangersWorkload = await CreateWorkloadAsync(Stranger);

            var nginxPort = FreePort();
            _addresses["nginx"] = new Uri($"http://127.0.0.1:{nginxPort}");
            await File.WriteAllTextAsync(Path.Combine(_directory, "nginx.conf"), NginxConfig(nginxPort, _tessera.BaseAddress.Port, modelPort));
            await StartGatewayAsync(nginx, nginxPort, new Dictionary<string, string>(),
                "-p", _directory, "-c", Path.Combine(_directory, "nginx.conf"), "-e", Path.Combine(_directory, "error.log"));

            var caddyPort = FreePort();
            _addresses["caddy"] = new Uri($"http://127.0.0.1:{caddyPort}");
            await File.WriteAllTextAsync(Path.Combine(_directory, "Caddyfile"), CaddyConfig(caddyPort, _tessera.BaseAddress.Port, modelPort));
            // Caddy keeps state under XDG directories: this test's own, not the machine's.
            await StartGatewayAsync(caddy, caddyPort, new Dictionary<string, string>
            {
                ["XDG_DATA_HOME"] = Path.Combine(_directory, "caddy-data"),
                ["XDG_CONFIG_HOME"] = Path.Combine(_directory, "caddy-config"),
                ["HOME"] = _directory,
            }, "run", "--config", Path.Combine(_directory, "Caddyfile"), "--adapter", "caddyfile");
        }

        public HttpClient ClientWith(string kind, string? secret)
        {
            Require();
            var client = new HttpClient { BaseAddress = _addresses[kind] };
            if (secret is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            }
            return client;
        }

        /// <summary>GET /v1/auth on Tessera itself, with no gateway between.</summary>
        public Task<HttpResponseMessage> AskTesseraAsync(string workloadId, string secret)
        {
            Require();
            var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/auth?workload={workloadId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            return Tessera.SendAsync(request);
        }

        /// <summary>A fresh usable token of the guarded workload.</summary>
        public Task<CreatedTokenResponse> UsableTokenAsync() => TokenOfAsync(Manager, Guarded.Id);

        public async Task<CreatedTokenResponse> TokenOfAsync(HttpClient account, string workloadId)
        {
            Require();
            return await (await account.PostJsonAsync("/v1/tokens", new CreateTokenRequest("alice", workloadId, null)))
                .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var process in _gateways)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }
            Manager?.Dispose();
            Stranger?.Dispose();
            Tessera?.Dispose();
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
            if (_missing is null)
            {
                return;
            }
            if (TestPostgres.InCi)
            {
                throw new InvalidOperationException($"CI=true and {_missing} is not installed (scripts/test.sh installs nginx-light and caddy).");
            }
            Assert.Skip($"{_missing} is not installed: apt-get install nginx-light caddy, or run scripts/test.sh as root.");
        }

        private static HttpClient ClientFor(Uri address, string key)
        {
            var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }

        private static async Task<WorkloadResponse> CreateWorkloadAsync(HttpClient account) =>
            await (await account.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest($"model-{Guid.NewGuid():N}", null)))
                .ReadAsync<WorkloadResponse>(HttpStatusCode.Created);

        private async Task StartGatewayAsync(string binary, int port, Dictionary<string, string> environment, params string[] args)
        {
            var start = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
            var process = Process.Start(start)!;
            _gateways.Add(process);
            // Read both streams as they come, so a chatty gateway never blocks on a full pipe.
            var output = new ConcurrentQueue<string>();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException) when (waited.Elapsed < TimeSpan.FromSeconds(30) && !process.HasExited)
                {
                    await Task.Delay(50);
                }
                catch (SocketException)
                {
                    throw new InvalidOperationException($"{binary} did not start: {string.Join('\n', output)} {ReadErrorLog()}");
                }
            }
        }

        /// <summary>The shipped configuration with this test's addresses and workload, inside a minimal nginx.conf of its own.</summary>
        private string NginxConfig(int port, int tesseraPort, int modelPort)
        {
            var shipped = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "nginx", "tessera-gateway.conf"));
            shipped = TesseraUpstream().Replace(shipped, $"upstream tessera {{\n    server 127.0.0.1:{tesseraPort};");
            shipped = ModelUpstream().Replace(shipped, $"upstream model {{\n    server 127.0.0.1:{modelPort};");
            shipped = Listen().Replace(shipped, $"listen 127.0.0.1:{port};");
            shipped = ReplaceOnce(shipped, "wl_REPLACE_WITH_THE_WORKLOAD_ID", Guarded.Id);
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

        /// <summary>The shipped Caddyfile with this test's addresses and workload; no admin endpoint (several may run at once).</summary>
        private string CaddyConfig(int port, int tesseraPort, int modelPort)
        {
            var shipped = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "caddy", "Caddyfile"));
            shipped = ReplaceOnce(shipped, ":8081 {", $"http://127.0.0.1:{port} {{");
            shipped = ReplaceOnce(shipped, "forward_auth 127.0.0.1:5000 {", $"forward_auth 127.0.0.1:{tesseraPort} {{");
            shipped = ReplaceOnce(shipped, "reverse_proxy 127.0.0.1:8000 {", $"reverse_proxy 127.0.0.1:{modelPort} {{");
            shipped = ReplaceOnce(shipped, "wl_REPLACE_WITH_THE_WORKLOAD_ID", Guarded.Id);
            return "{\n\tadmin off\n}\n\n" + shipped;
        }

        /// <summary>Replaces the one occurrence of <paramref name="shipped"/>'s <paramref name="old"/>, so a changed example fails loudly here.</summary>
        private static string ReplaceOnce(string shipped, string old, string replacement)
        {
            var at = shipped.IndexOf(old, StringComparison.Ordinal);
            Assert.True(at >= 0 && shipped.IndexOf(old, at + 1, StringComparison.Ordinal) < 0, $"the shipped example has '{old}' exactly once");
            return string.Concat(shipped.AsSpan(0, at), replacement, shipped.AsSpan(at + old.Length));
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
                // Which gateway passed the call: Caddy's reverse_proxy adds X-Forwarded-Host; this nginx configuration does not.
                var kind = headers.ContainsKey("X-Forwarded-Host") ? "caddy" : "nginx";
                ModelCalls.Enqueue(new ModelCall(kind, context.Request.Path.Value ?? "", Header(headers, "X-Tessera-Token-Id"),
                    Header(headers, "X-Tessera-Workload-Id"), Header(headers, "Authorization"), await reader.ReadToEndAsync()));
                await context.Response.WriteAsync("model says hello");
            });
            await _model.StartAsync();
            return port;
        }

        private static string? Header(IHeaderDictionary headers, string name) =>
            headers.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;

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
