using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tessera.Client.Tests;

/// <summary>
/// The retry policy against a real loopback HTTP peer that answers every request with 503: a read is
/// tried MaxAttempts times, a write that reached the server exactly once (it is never repeated).
/// </summary>
public sealed class RetryTests : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _requests;

    public RetryTests()
    {
        _listener.Start();
        _serving = ServeAsync();
    }

    private Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                using var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = connection.GetStream();
                var buffer = new byte[8192];
                var head = "";
                while (!head.Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        break;
                    }
                    head += Encoding.ASCII.GetString(buffer, 0, read);
                }
                Interlocked.Increment(ref _requests);
                var body = """{"status":503,"code":"service_unavailable","detail":"down"}""";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nConnection: close\r\nContent-Type: application/problem+json\r\nContent-Length: {body.Length}\r\n\r\n{body}"), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException || _stop.IsCancellationRequested)
        {
            // Stopped: cancelled mid-call, or the loop came back to a listener already stopped ("Not listening").
        }
    }

    [Fact]
    public async Task A_read_is_retried_and_then_reports_the_problem()
    {
        using var client = new TesseraManagementClient(new TesseraClientOptions { BaseAddress = Url, LicenseKey = "tsl_x", MaxAttempts = 3 });

        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetAccountAsync());

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "service_unavailable"), (refused.StatusCode, refused.Code));
        Assert.Equal(3, _requests);
    }

    [Fact]
    public async Task A_write_that_reached_the_server_is_not_repeated()
    {
        using var client = new TesseraManagementClient(new TesseraClientOptions { BaseAddress = Url, LicenseKey = "tsl_x", MaxAttempts = 3 });

        await Assert.ThrowsAsync<TesseraApiException>(() => client.CreateTokenAsync("alice"));

        Assert.Equal(1, _requests);
    }

    [Fact]
    public async Task A_refused_connection_surfaces_as_HttpRequestException_after_the_retries()
    {
        using var client = new TesseraManagementClient(new Uri("http://127.0.0.1:1"), "tsl_x");

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.CreateTokenAsync("alice"));

        Assert.Equal(HttpRequestError.ConnectionError, failure.HttpRequestError);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _stop.Dispose();
    }
}
