namespace Tessera.Server.Tests.Infrastructure;

/// <summary>An account opened for one test, with a client authenticated by its license key.</summary>
public sealed record TestAccount(string Id, string LicenseKey, HttpClient Client);
