using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tessera.Testing;

/// <summary>
/// The real server as a separate process (dotnet Tessera.Server.dll) on a free loopback port, with its
/// standard output and error captured: what an operator sees, bootstrap banner included.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }

    /// <summary>The server's own process (dotnet itself, no wrapper), for signals such as SIGSTOP.</summary>
    public int ProcessId => _process.Id;

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "Tessera.Server.dll");

    /// <summary>Starts the server in <paramref name="workingDirectory"/> and waits (bounded) until /healthz answers.</summary>
    public static Task<ServerProcess> StartAsync(string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        return StartAsync(StartInfo(workingDirectory, environment, "--urls", $"http://127.0.0.1:{port}"), port);
    }

    /// <summary>
    /// Starts a server some other way (e.g. from a container image's root), which must listen on loopback at
    /// <paramref name="port"/>, and waits (bounded) until /healthz answers.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(ProcessStartInfo start, int port)
    {
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var server = new ServerProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server._process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {server._process.ExitCode}:\n{server.Stdout}\n{server.Stderr}");
            }
            try
            {
                if ((await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // not answering yet
            }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"The server did not become healthy within 60 s:\n{server.Stdout}\n{server.Stderr}");
    }

    /// <summary>Runs the server's command line (e.g. <c>accounts create --name X</c>) to completion, bounded to 60 s.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCommandAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, environment, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not finish within 60 s.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        return start;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer)
        {
            return buffer.ToString();
        }
    }
}
