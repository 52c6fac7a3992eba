using Loopy.Compiler.Yaml;

namespace Loopy.Compiler.Tests.Yaml;

public sealed class YamlReaderTests
{
    [Theory]
    [InlineData("a: 30", typeof(long))]
    [InlineData("a: on", typeof(string))]
    [InlineData("a: yes", typeof(string))]
    [InlineData("a: true", typeof(bool))]
    [InlineData("a: 1.5", typeof(double))]
    [InlineData("a: \"3.12\"", typeof(string))]
    [InlineData("{ a: 30, b: { c: 5 } }", typeof(long))]
    public void Scalars_resolve_with_the_core_schema(string yaml, Type expected)
    {
        var result = YamlReader.Parse(yaml);
        Assert.True(result.Ok, result.Error);
        var value = ((YScalar)((YMapping)result.Root!).Entries[0].Value).Value;
        Assert.IsType(expected, value);
    }

    [Fact]
    public void A_null_value_is_null()
    {
        var result = YamlReader.Parse("a:\n");
        Assert.True(((YScalar)((YMapping)result.Root!).Entries[0].Value).IsNull);
    }

    [Fact]
    public void A_repeated_key_is_a_parse_error_at_its_line()
    {
        var result = YamlReader.Parse("a: 1\nb: 2\na: 3\n");
        Assert.False(result.Ok);
        Assert.Equal(3, result.ErrorLine);
        Assert.Contains("duplicate key 'a'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_keep_their_one_based_lines()
    {
        var result = YamlReader.Parse("# c\na: 1\nb:\n  c: 2\n");
        var root = (YMapping)result.Root!;
        Assert.Equal(2, root.Entries[0].Line);
        Assert.Equal(4, ((YMapping)root.Entries[1].Value).Entries[0].Line);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        var yaml = new string('[', 100_000) + new string(']', 100_000);
        var result = YamlReader.Parse(yaml);
        Assert.False(result.Ok);
        Assert.Contains("nesting", result.Error, StringComparison.Ordinal);
    }
}
