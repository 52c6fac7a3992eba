using System.Diagnostics;
using System.Globalization;
using Loopy.Bench.Compile;
using Loopy.Compiler;

// Generates a project of 200 workflows x 5 steps in a temporary folder and reports the warm compile time
// (median of N runs after warm-up). Usage: dotnet run -c Release --project bench/Loopy.Bench.Compile [-- RUNS]
var runs = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 15;
var root = Path.Combine(Path.GetTempPath(), "loopy-bench-" + Guid.NewGuid().ToString("N"));
try
{
    BenchProject.Write(root, workflows: 200, stepsPerWorkflow: 5);
    var first = LoopyCompiler.CompileDirectory(root);
    if (first.HasErrors)
    {
        Console.Error.Write(LoopyCompiler.FormatText(first.Diagnostics));
        return 1;
    }

    for (var i = 0; i < 3; i++)
    {
        LoopyCompiler.CompileDirectory(root);
    }

    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var watch = Stopwatch.StartNew();
        var result = LoopyCompiler.CompileDirectory(root);
        watch.Stop();
        if (result.ManifestJson is null)
        {
            return 1;
        }

        times.Add(watch.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"200 workflows x 5 steps ({first.ManifestJson!.Length / 1024} KiB manifest): warm compile median {times[times.Count / 2]:F1} ms, min {times[0]:F1} ms, max {times[^1]:F1} ms over {runs} runs"));
    return 0;
}
finally
{
    Directory.Delete(root, recursive: true);
}
