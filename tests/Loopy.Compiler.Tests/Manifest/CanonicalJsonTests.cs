using System.Text.Json.Nodes;
using Loopy.Contracts.Manifest;

namespace Loopy.Compiler.Tests.Manifest;

public sealed class CanonicalJsonTests
{
    [Theory]
    [InlineData(50.0, "50.0")]
    [InlineData(1.5, "1.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(-2.5e-7, "-2.5e-07")]
    [InlineData(0.0, "0.0")]
    [InlineData(123.456, "123.456")]
    public void Floats_are_written_as_python_repr(double value, string expected) =>
        Assert.Equal(expected, CanonicalJson.FormatDouble(value));

    [Fact]
    public void NaN_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CanonicalJson.FormatDouble(double.NaN));

    [Fact]
    public void Keys_are_sorted_containers_inline_when_empty_and_non_ascii_escaped()
    {
        var node = new JsonObject
        {
            ["b"] = new JsonArray(1L, 2.0, "x/y"),
            ["a"] = new JsonObject(),
            ["é"] = "caf\u00e9 \U0001F600",
            ["c"] = new JsonArray(),
        };
        var expected = "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2.0,\n    \"x/y\"\n  ],\n  \"c\": [],\n  \"\\u00e9\": \"caf\\u00e9 \\ud83d\\ude00\"\n}\n";
        Assert.Equal(expected, CanonicalJson.Serialize(node));
    }

    [Fact]
    public void Parsed_numbers_keep_their_integer_or_float_form()
    {
        var node = JsonNode.Parse("{\"i\": 4, \"f\": 4.0, \"e\": 1e16}");
        Assert.Equal("{\n  \"e\": 1e+16,\n  \"f\": 4.0,\n  \"i\": 4\n}\n", CanonicalJson.Serialize(node));
    }

    [Fact]
    public void The_loader_refuses_another_schema_version()
    {
        var ex = Assert.Throws<ManifestFormatException>(() => ManifestLoader.Load("{\"schema_version\": \"1\", \"registry\": {}}"));
        Assert.Contains("'1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'2'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_contract_schema_of_a_manifest_event_matches_the_written_file()
    {
        var result = ExampleBaselineTests.CompileExample("incident-triage");
        var manifest = ManifestLoader.Load(result.ManifestJson!);
        var schema = CanonicalJson.Serialize(manifest.Registry.Events["Incident"].ToContractSchema("Incident"));
        Assert.Equal(result.Contracts["Incident.schema.json"], schema);
    }
}
