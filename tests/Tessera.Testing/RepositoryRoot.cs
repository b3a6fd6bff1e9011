namespace Tessera.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding Tessera.slnx, found upwards from the test binaries.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Tessera.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Tessera.slnx not found above " + AppContext.BaseDirectory);
    }
}
