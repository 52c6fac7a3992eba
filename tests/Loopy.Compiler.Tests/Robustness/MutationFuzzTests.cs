using System.Text;
using Loopy.Compiler.Projects;
using Loopy.Compiler.Tests.Fixtures;

namespace Loopy.Compiler.Tests.Robustness;

/// <summary>Random edits of valid files, with YAML/Python/template punctuation: the compiler must never throw.</summary>
public sealed class MutationFuzzTests
{
    private const string Alphabet = "{}[]:,-?&*!|>'\"%@`#\n \t()=.$\\";

    [Theory]
    [InlineData("registry.yml")]
    [InlineData("workflows/flow/start.md")]
    [InlineData("workflows/flow/finish.md")]
    [InlineData("sensors/ping.yml")]
    [InlineData("sensors/hooks.py")]
    public void Mutated_files_never_throw(string path)
    {
        var random = new Random(path.Length * 7919);
        var files = FixtureProject.Base();
        files["sensors/hooks.py"] = "from loopy import sensor\n\n\n@sensor(webhook=\"/hooks/py\", emits=\"Ping\")\ndef py_hook(req):\n    return None\n";
        var original = files[path]!;
        var compiled = 0;
        for (var i = 0; i < 600; i++)
        {
            var text = new StringBuilder(original);
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits && text.Length > 0; e++)
            {
                var at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0:
                        text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at));
                        break;
                    case 1:
                        text.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    default:
                        text[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                }
            }

            files[path] = text.ToString();
            var source = ProjectSource.FromFiles(files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value!), StringComparer.Ordinal));
            var result = LoopyCompiler.Compile(source);
            Assert.Equal(result.HasErrors, result.ManifestJson is null);
            Assert.All(result.Diagnostics, d => Assert.NotNull(Loopy.Compiler.Diagnostics.DiagnosticCatalog.Find(d.Code)));
            compiled++;
        }

        Assert.Equal(600, compiled);
    }
}
