using Loopy.Compiler.Compilation;

namespace Loopy.Compiler.Tests.Compilation;

public sealed class CronCheckTests
{
    [Theory]
    [InlineData("0 3 * * *")]
    [InlineData("0 3 * * 7")]
    [InlineData("0 3 * * 0")]
    [InlineData("*/15 0-6 1,15 jan-mar sun")]
    [InlineData("30 2 * * mon-fri")]
    [InlineData("0 0 1 1 *")]
    public void Valid_expressions(string expression) => Assert.True(CronCheck.IsValid(expression));

    [Theory]
    [InlineData("61 * * * *")]
    [InlineData("* 24 * * *")]
    [InlineData("* * * * * *")]
    [InlineData("* * 32 * *")]
    [InlineData("not a cron")]
    public void Invalid_expressions(string expression) => Assert.False(CronCheck.IsValid(expression));

    [Theory]
    [InlineData("UTC", true)]
    [InlineData("Europe/Paris", true)]
    [InlineData("America/New_York", true)]
    [InlineData("Mars/Olympus", false)]
    [InlineData("../../etc/passwd", false)]
    public void Zones(string zone, bool known) => Assert.Equal(known, CronCheck.IsKnownZone(zone));
}
