namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>Where the built <c>kahuna</c> executable is and how to run it.</summary>
internal static class KahunaExecutable
{
    /// <summary>
    /// Kahuna.Tests references Kahuna.Node, so the build copies kahuna.dll with its runtimeconfig and deps files
    /// into the test output folder.
    /// </summary>
    public static string Dll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "kahuna.dll");
            if (!File.Exists(path) || !File.Exists(Path.Combine(AppContext.BaseDirectory, "kahuna.runtimeconfig.json")))
                throw new FileNotFoundException($"kahuna.dll and kahuna.runtimeconfig.json are expected next to the tests in {AppContext.BaseDirectory}; build Kahuna.Tests first");
            return path;
        }
    }

    /// <summary>
    /// The dotnet host: the one the SDK told us about (DOTNET_HOST_PATH, set under dotnet test), else the one running
    /// the tests, else "dotnet" from PATH.
    /// </summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
                return host;
            if (Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet")
                return current;
            return "dotnet";
        }
    }
}
