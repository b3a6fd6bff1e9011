[assembly: AssemblyFixture(typeof(TestPostgresCleanup))]
