using Loopy.Cli;
using Microsoft.Extensions.Time.Testing;

namespace Loopy.Compiler.Tests.Cli;

/// <summary>The result of one in-process <c>loopy</c> invocation.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await LoopyCli.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken,
            new FakeTimeProvider(Manifest.ExampleBaselineTests.FixedClock));
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
