using Tessera.Testing;

[assembly: AssemblyFixture(typeof(TestPostgresCleanup))]
