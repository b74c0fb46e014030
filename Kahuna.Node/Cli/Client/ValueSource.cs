namespace Kahuna.Node.Cli.Client;

/// <summary>Where <c>kv set</c> takes its value from: the argument (UTF-8), a file or standard input, or base64.</summary>
internal static class ValueSource
{
    // The protocol's own value limit is 1 MiB; reading a little more lets the server's TooLarge answer speak,
    // while a huge file is refused here before it is loaded into memory.
    private const long MaxReadBytes = 16L * 1024 * 1024;

    public static async Task<byte[]> ReadAsync(string? text, string? file, string? base64, CliContext context, CancellationToken cancellationToken)
    {
        if (text is not null)
            return System.Text.Encoding.UTF8.GetBytes(text);
        if (base64 is not null)
        {
            try
            {
                return Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                throw new CliUsageException("--value-base64: not valid base64");
            }
        }
        if (file is null)
            throw new CliUsageException("give the value exactly one way: VALUE, --value-file or --value-base64");
        try
        {
            await using var stream = file == "-" ? context.OpenStandardInput() : File.OpenRead(file);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxReadBytes)
                    throw new CliInputException($"--value-file {file}: larger than {MaxReadBytes / (1024 * 1024)} MiB");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"--value-file {file}: {ex.Message}");
        }
    }
}
