using Loopy.Runtime.Replies;

namespace Loopy.Runtime.Tests.Replies;

public sealed class ReplyParserTests
{
    [Theory]
    [InlineData("""{"output": {"a": 1}}""", 1)]
    [InlineData("Sure.\n```json\n{\"output\": {\"a\": 2}}\n```\nDone.", 2)]
    [InlineData("first {\"output\": {\"a\": 3}} then the real one {\"output\": {\"a\": 4, \"s\": \"} {\"}}", 4)]
    public void Finds_the_object_whole_fenced_or_last_balanced(string reply, int expected)
    {
        Assert.True(ReplyParser.TryParse(reply, out var result));
        Assert.Equal(expected, result.GetProperty("output").GetProperty("a").GetInt32());
    }

    [Theory]
    [InlineData("no json here")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{ not json }")]
    public void Refuses_a_reply_without_a_json_object(string reply) => Assert.False(ReplyParser.TryParse(reply, out _));
}
